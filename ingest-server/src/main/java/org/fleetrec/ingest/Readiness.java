package org.fleetrec.ingest;

/** Ready means: Elasticsearch answered and the templates are installed. */
final class Readiness {
    private volatile String reason = "starting: index templates not yet installed in Elasticsearch";

    boolean ready() {
        return reason == null;
    }

    String reason() {
        return reason;
    }

    void ready(boolean ready, String why) {
        reason = ready ? null : why;
    }
}
