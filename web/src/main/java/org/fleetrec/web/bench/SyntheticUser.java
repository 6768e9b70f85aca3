package org.fleetrec.web.bench;

/** An account of a synthetic host: the uid/gid pair and names the agent resolves. */
record SyntheticUser(String id, String name, String groupId, String groupName) {
    static final SyntheticUser ROOT = new SyntheticUser("0", "root", "0", "root");
    static final SyntheticUser WWW_DATA = new SyntheticUser("33", "www-data", "33", "www-data");
    static final SyntheticUser RESOLVE = new SyntheticUser("101", "systemd-resolve", "102", "systemd-resolve");
    static final SyntheticUser POSTGRES = new SyntheticUser("105", "postgres", "111", "postgres");
    static final SyntheticUser REDIS = new SyntheticUser("106", "redis", "112", "redis");
    static final SyntheticUser CHRONY = new SyntheticUser("107", "_chrony", "113", "_chrony");
    static final SyntheticUser APP = new SyntheticUser("998", "app", "998", "app");
    static final SyntheticUser DEPLOY = new SyntheticUser("1500", "deploy", "1500", "deploy");
    static final SyntheticUser CI = new SyntheticUser("1600", "ci", "1600", "ci");

    /** People who log in: admins on servers, developers on workstations. */
    static final java.util.List<SyntheticUser> PEOPLE = java.util.List.of(
            new SyntheticUser("1001", "alice", "1001", "alice"),
            new SyntheticUser("1002", "bob", "1002", "bob"),
            new SyntheticUser("1003", "carol", "1003", "carol"),
            new SyntheticUser("1004", "dave", "1004", "dave"),
            new SyntheticUser("1005", "erin", "1005", "erin"),
            new SyntheticUser("1006", "frank", "1006", "frank"));
}
