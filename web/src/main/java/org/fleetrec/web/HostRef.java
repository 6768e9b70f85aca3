package org.fleetrec.web;

/** A host as the pages show and link it. */
record HostRef(String id, String name) {
}
