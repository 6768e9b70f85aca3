package org.fleetrec.agent.sysmon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link SysmonEvent} as the project's ECS document. Process, file, network, registry and DNS
 * fields follow the ECS sysmon pipeline; ids, actions and datasets follow the project (see
 * {@link SysmonKind}, {@link SysmonIds}) so Windows and Linux activity shares one process tree.
 * EventData fields the mapping does not use stay under {@code winlog.event_data}.
 * {@code event.sequence}, {@code host.id} and {@code agent.*} are left to the caller.
 */
public final class SysmonMapper {
    /** The Sysmon for Linux provider: its command lines are space-joined argv, not Windows quoting. */
    public static final String LINUX_PROVIDER = "Linux-Sysmon";

    public Optional<EventDocument> map(SysmonEvent event) {
        Optional<SysmonKind> kind = SysmonKind.of(event.eventId());
        if (kind.isEmpty() || !event.isSysmon()) return Optional.empty();
        EventData data = new EventData(event.data());
        Instant time = SysmonTimes.utc(data.take("UtcTime")).orElse(event.time());
        EventDocument doc = header(event, kind.get(), time);
        data.take("RuleName");
        String rule = event.data().get("RuleName");
        if (rule != null && !rule.isBlank() && !"-".equals(rule.trim())) doc.put("rule.name", rule);
        boolean linux = event.fromLinux();
        String action = body(event.eventId(), doc, data, linux, time);
        if (action != null) doc.put(Ecs.EVENT_ACTION, action);
        user(doc, data);
        // The last field of a cut-off event may be incomplete: say so where a reader will see it.
        if (event.truncated()) doc.putAll("tags", List.of("truncated"));
        winlog(doc, event, data.leftovers());
        return Optional.of(doc);
    }

    /** Every event id this mapper turns into a document. */
    public static Set<Integer> mappedIds() {
        return SysmonKind.mappedIds();
    }

    private static EventDocument header(SysmonEvent event, SysmonKind kind, Instant time) {
        return EventDocument.create()
                .put(Ecs.TIMESTAMP, time.toString())
                .put(Ecs.EVENT_DATASET, kind.dataset().id())
                .put(Ecs.EVENT_ACTION, kind.action())
                .put(Ecs.EVENT_KIND, "event")
                .putAll(Ecs.EVENT_CATEGORY, kind.categories())
                .putAll(Ecs.EVENT_TYPE, kind.types())
                .put("event.code", Integer.toString(event.eventId()))
                .put("event.provider", event.providerName())
                .put("event.module", "sysmon")
                .put(Ecs.HOST_NAME, event.computer());
    }

    /** The id-specific part; returns an action that refines the kind's, or null. */
    private static String body(int id, EventDocument doc, EventData data, boolean linux, Instant time) {
        switch (id) {
            case 1 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                commandLine(doc, "process", data.take("CommandLine"), linux);
                doc.put("process.working_directory", data.take("CurrentDirectory"));
                doc.put("process.start", time.toString());
                process(doc, data, linux, "process.parent", "ParentProcessGuid", "ParentProcessId", "ParentImage");
                commandLine(doc, "process.parent", data.take("ParentCommandLine"), linux);
                pe(doc, data, "process.pe");
                hashes(doc, data, "process");
            }
            case 5 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                doc.put("process.end", time.toString());
            }
            case 8, 10 -> {
                // The acting (source) process is process.*; the target stays in winlog.event_data as ECS has no field for it.
                process(doc, data, linux, "process", "SourceProcessGuid", "SourceProcessId", "SourceImage");
                String guid = data.takeAny("SourceProcessGUID");
                if (!doc.has("process.entity_id")) doc.put("process.entity_id", SysmonIds.entityId(guid));
                threadId(doc, data);
            }
            case 3 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                return NetworkFields.fill(doc, data);
            }
            case 6 -> {
                String path = data.take("ImageLoaded");
                doc.put("driver.path", path).put("driver.name", Paths.name(path));
                file(doc, path);
                hashes(doc, data, "file");
                signature(doc, data, "file");
            }
            case 7 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                String path = data.take("ImageLoaded");
                doc.put("dll.path", path).put("dll.name", Paths.name(path));
                pe(doc, data, "dll.pe");
                hashes(doc, data, "dll");
                signature(doc, data, "dll");
            }
            case 9 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                file(doc, data.take("Device"));
            }
            case 12, 13, 14 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                String operation = data.peek("EventType");
                RegistryFields.fill(doc, data);
                if (id == 12) return RegistryFields.action12(operation);
            }
            case 17, 18 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                doc.put("file.name", data.take("PipeName"));
            }
            case 22 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                DnsFields.fill(doc, data);
            }
            case 2, 11, 15, 23, 26, 27, 28, 29 -> {
                process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
                file(doc, data.take("TargetFilename"));
                hashes(doc, data, "file");
                flag(doc, data, "Archived", "sysmon.file.archived");
                flag(doc, data, "IsExecutable", "sysmon.file.is_executable");
                if (id == 11) doc.put("file.created", SysmonTimes.utc(data.take("CreationUtcTime")).map(Instant::toString).orElse(null));
                if (id == 27 || id == 28) doc.put(Ecs.EVENT_OUTCOME, "failure");
            }
            default -> process(doc, data, linux, "process", "ProcessGuid", "ProcessId", "Image");
        }
        return null;
    }

    private static void process(EventDocument doc, EventData data, boolean linux, String prefix, String guid, String pid,
                                String image) {
        String number = data.peek(pid);
        doc.put(prefix + ".entity_id", linux ? SysmonIds.linuxEntityId(data.take(guid), number) : SysmonIds.entityId(data.take(guid)));
        if (number != null && number.trim().matches("\\d{1,10}")) {
            data.take(pid);
            doc.put(prefix + ".pid", Long.parseLong(number.trim()));
        }
        String executable = data.take(image);
        doc.put(prefix + ".executable", executable).put(prefix + ".name", Paths.name(executable));
    }

    private static void commandLine(EventDocument doc, String prefix, String line, boolean linux) {
        if (line == null) return;
        List<String> args = linux ? WindowsCommandLine.splitLinux(line) : WindowsCommandLine.split(line);
        doc.put(prefix + ".command_line", line).putAll(prefix + ".args", args).put(prefix + ".args_count", args.size());
    }

    private static void threadId(EventDocument doc, EventData data) {
        String thread = data.peek("SourceThreadId");
        if (thread != null && thread.trim().matches("\\d{1,10}")) {
            data.take("SourceThreadId");
            doc.put("process.thread.id", Long.parseLong(thread.trim()));
        }
    }

    private static void file(EventDocument doc, String path) {
        if (path == null) return;
        doc.put("file.path", path).put("file.name", Paths.name(path))
                .put("file.directory", Paths.directory(path)).put("file.extension", Paths.extension(path));
    }

    private static void pe(EventDocument doc, EventData data, String prefix) {
        doc.put(prefix + ".original_file_name", data.take("OriginalFileName"))
                .put(prefix + ".company", data.take("Company"))
                .put(prefix + ".description", data.take("Description"))
                .put(prefix + ".file_version", data.take("FileVersion"))
                .put(prefix + ".product", data.take("Product"));
    }

    /** Hashes of the event's object (process image, file, dll); the import hash is a PE property in ECS. */
    private static void hashes(EventDocument doc, EventData data, String object) {
        Map<String, String> hashes = SysmonHashes.parse(data.takeAny("Hashes", "Hash"));
        hashes.forEach((algorithm, value) ->
                doc.put("imphash".equals(algorithm) ? object + ".pe.imphash" : object + ".hash." + algorithm, value));
        if (!hashes.isEmpty()) doc.putAll("related.hash", new LinkedHashSet<>(hashes.values()));
    }

    private static void signature(EventDocument doc, EventData data, String object) {
        String signed = data.take("Signed");
        String status = data.take("SignatureStatus");
        doc.put(object + ".code_signature.subject_name", data.take("Signature"))
                .put(object + ".code_signature.status", status);
        if (signed != null) doc.put(object + ".code_signature.signed", "true".equalsIgnoreCase(signed));
        if (status != null) doc.put(object + ".code_signature.valid", "Valid".equalsIgnoreCase(status));
    }

    private static void flag(EventDocument doc, EventData data, String field, String target) {
        String value = data.take(field);
        if (value != null) doc.put(target, "true".equalsIgnoreCase(value));
    }

    /** {@code DOMAIN\name} on Windows, a bare name on Linux. */
    private static void user(EventDocument doc, EventData data) {
        String user = data.take("User");
        if (user == null) return;
        int slash = user.indexOf('\\');
        String name = slash < 0 ? user : user.substring(slash + 1);
        if (slash > 0) doc.put("user.domain", user.substring(0, slash));
        if (!name.isEmpty()) doc.put("user.name", name).putAll("related.user", List.of(name));
    }

    private static final java.util.regex.Pattern PADDED_HEX = java.util.regex.Pattern.compile("0x0+([0-9a-fA-F]+)");

    /**
     * Windows renders hex numbers unpadded ({@code 0x3e7}) and python-evtx pads them to their width
     * ({@code 0x00000000000003e7}): one spelling, so a search for a logon id finds it in either export.
     */
    static String unpadded(String value) {
        if (value == null) return null;
        java.util.regex.Matcher m = PADDED_HEX.matcher(value);
        return m.matches() ? "0x" + m.group(1) : value;
    }

    private static void winlog(EventDocument doc, SysmonEvent event, Map<String, String> leftovers) {
        doc.put("winlog.channel", event.channel())
                .put("winlog.provider_name", event.providerName())
                .put("winlog.event_id", Integer.toString(event.eventId()))
                .put("winlog.computer_name", event.computer());
        if (event.recordId() >= 0) doc.put("winlog.record_id", Long.toString(event.recordId()));
        if (leftovers.isEmpty()) return;
        // Built as one object: a field name is data, and a dot in it must not make a nested path.
        ObjectNode eventData = JsonNodeFactory.instance.objectNode();
        leftovers.forEach((name, value) -> eventData.put(name, unpadded(value)));
        doc.put("winlog.event_data", eventData);
    }
}
