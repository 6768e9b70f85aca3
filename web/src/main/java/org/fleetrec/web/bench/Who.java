package org.fleetrec.web.bench;

/**
 * Who a process runs as: real and effective user, and the login it belongs to (audit uid,
 * session, terminal), which children inherit until a login or setuid changes them.
 */
record Who(SyntheticUser user, SyntheticUser effective, SyntheticUser login, String sessionId, String tty) {

    /** A daemon's identity: no login session. */
    static Who system(SyntheticUser user) {
        return new Who(user, user, null, null, null);
    }

    /** A new login session, as sshd makes one. */
    static Who login(SyntheticUser user, String sessionId, String tty) {
        return new Who(user, user, user, sessionId, tty);
    }

    /** The same login acting as another user (sudo's child, su). */
    Who as(SyntheticUser other) {
        return new Who(other, other, login, sessionId, tty);
    }

    /** A setuid program: the real user stays, the effective one changes. */
    Who setuid(SyntheticUser other) {
        return new Who(user, other, login, sessionId, tty);
    }
}
