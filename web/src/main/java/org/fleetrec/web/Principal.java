package org.fleetrec.web;

/** Who is asking: a user (through a session) or a script (through an API token). */
record Principal(String name, String role) {
    static final String ADMIN = "admin";
    static final String VIEWER = "viewer";

    boolean admin() {
        return ADMIN.equals(role);
    }
}
