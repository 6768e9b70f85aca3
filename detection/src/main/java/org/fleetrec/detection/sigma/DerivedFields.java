package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Values Sigma names that the documents hold only in parts. */
final class DerivedFields {
    /** The kernel keeps 15 characters of a task's name (TASK_COMM_LEN 16 with the NUL). */
    static final int COMM_LENGTH = 15;

    private static final EventField.Path USER_NAME = new EventField.Path("user.name");
    private static final EventField.Path USER_DOMAIN = new EventField.Path("user.domain");
    private static final EventField.Path ARGS = new EventField.Path("process.args");

    /** Sysmon's {@code User}: {@code DOMAIN\name}, split by the mapper into user.domain and user.name. */
    static final EventField USER = new EventField.Derived("user", DerivedFields::user);

    /**
     * Audit's {@code comm}: the task name, which is the base name of the path given to exec, cut to
     * 15 characters. Documents keep argv, whose first element is that path as the caller wrote it.
     */
    static final EventField COMM = new EventField.Derived("comm", DerivedFields::comm);

    private DerivedFields() {
    }

    private static String[] user(ObjectNode root) {
        String[] names = USER_NAME.values(root);
        if (names.length == 0) return names;
        String[] domains = USER_DOMAIN.values(root);
        return domains.length == 0 ? names : new String[]{domains[0] + "\\" + names[0]};
    }

    private static String[] comm(ObjectNode root) {
        JsonNode args = ARGS.node(root);
        if (args == null || !args.isArray() || args.isEmpty() || !args.get(0).isTextual()) return EventField.NONE;
        String first = args.get(0).textValue();
        String base = first.substring(first.lastIndexOf('/') + 1);
        return new String[]{base.length() > COMM_LENGTH ? base.substring(0, COMM_LENGTH) : base};
    }
}
