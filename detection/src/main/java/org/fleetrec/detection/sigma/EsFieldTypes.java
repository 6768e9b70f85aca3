package org.fleetrec.detection.sigma;

import java.util.Set;

/**
 * The Elasticsearch types of the fields rules query, where they are not keyword: they follow the
 * project's index templates (fleet-ecs-base and the dataset components; numbers and booleans the
 * templates do not name are mapped dynamically as long and boolean). Fields stored but not indexed
 * cannot be searched at all.
 */
final class EsFieldTypes {
    enum Type { KEYWORD, IP, LONG, BOOLEAN, NOT_INDEXED }

    private static final Set<String> IP = Set.of("source.ip", "destination.ip", "related.ip", "host.ip", "dns.resolved_ip");
    private static final Set<String> LONG = Set.of("process.pid", "process.parent.pid", "process.args_count", "process.exit_code",
            "process.thread.id", "source.port", "destination.port", "event.sequence", "auditd.sequence", "file.size");
    private static final Set<String> BOOLEAN = Set.of("process.interactive", "dll.code_signature.signed", "dll.code_signature.valid",
            "file.code_signature.signed", "file.code_signature.valid", "sysmon.file.archived", "sysmon.file.is_executable");
    private static final Set<String> NOT_INDEXED = Set.of("event.original");

    private EsFieldTypes() {
    }

    static Type of(String field) {
        if (IP.contains(field)) return Type.IP;
        if (LONG.contains(field)) return Type.LONG;
        if (BOOLEAN.contains(field)) return Type.BOOLEAN;
        if (NOT_INDEXED.contains(field)) return Type.NOT_INDEXED;
        return Type.KEYWORD;
    }
}
