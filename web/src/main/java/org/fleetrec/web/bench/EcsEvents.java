package org.fleetrec.web.bench;

import org.fleetrec.model.CommunityId;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Instant;
import java.util.List;

/**
 * Documents shaped field for field as the agent's mappers write them (exec, exit, snapshot, file,
 * network, auth, kernel module and library events), and stamped as the agent and the ingest
 * server stamp them.
 */
final class EcsEvents {
    static final String AGENT_VERSION = "0.1.0";
    private static final List<String> RULE_KEY = List.of("fleetrec");

    private EcsEvents() {
    }

    static EventDocument exec(SyntheticProcess p, long time, long auditSerial) {
        EventDocument doc = event(time, Dataset.PROCESS, "executed", "event", "process", "start")
                .put(Ecs.EVENT_OUTCOME, "success")
                .put("process.pid", p.pid())
                .put("process.executable", p.executable())
                .put("process.name", p.name())
                .putAll("process.args", p.args())
                .put("process.args_count", p.args().size())
                .put("process.command_line", p.commandLine())
                .put("process.working_directory", p.workingDirectory())
                .put("process.parent.pid", p.parent() == null ? 0 : p.parent().pid())
                .put("process.entity_id", p.entityId())
                .put("process.start", Instant.ofEpochMilli(p.startMillis()).toString());
        parent(doc, p.parent());
        doc.put("process.hash.sha256", p.sha256());
        users(doc, p.who());
        session(doc, p.who());
        audit(doc, auditSerial, "EXECVE");
        return doc;
    }

    static EventDocument exit(SyntheticProcess p, long time, int code, long auditSerial) {
        EventDocument doc = event(time, Dataset.PROCESS, "ended", "event", "process", "end");
        actor(doc, p, auditSerial);
        return doc.put("process.exit_code", code).put("process.end", Instant.ofEpochMilli(time).toString());
    }

    /** A process found running when the agent started, so the tree has its roots. */
    static EventDocument snapshot(SyntheticProcess p, long time) {
        EventDocument doc = event(time, Dataset.PROCESS, "already-running", "state", "process", "info")
                .put("process.entity_id", p.entityId())
                .put("process.pid", p.pid())
                .put("process.start", Instant.ofEpochMilli(p.startMillis()).toString())
                .put("process.executable", p.executable())
                .put("process.name", p.name())
                .putAll("process.args", p.args())
                .put("process.command_line", p.commandLine())
                .put("process.parent.pid", p.parent() == null ? 0 : p.parent().pid());
        if (p.parent() != null) {
            doc.put("process.parent.entity_id", p.parent().entityId()).put("process.parent.name", p.parent().name())
                    .put("process.parent.executable", p.parent().executable())
                    .put("process.parent.command_line", p.parent().commandLine());
        }
        return doc.put("user.id", p.who().user().id()).put("user.name", p.who().user().name())
                .put("user.effective.id", p.who().effective().id()).put("user.effective.name", p.who().effective().name())
                .put("process.working_directory", p.workingDirectory());
    }

    /** What a file event says of its file; {@code action} is one of the agent's (created, modified, …). */
    record FileFacts(String action, String path, String targetPath, long inode, String mode, SyntheticUser owner) {
    }

    static EventDocument file(SyntheticProcess p, long time, FileFacts f, long auditSerial) {
        String type = switch (f.action()) {
            case "created" -> "creation";
            case "deleted" -> "deletion";
            case "read" -> "access";
            default -> "change";
        };
        EventDocument doc = event(time, Dataset.FILE, f.action(), "event", "file", type).put(Ecs.EVENT_OUTCOME, "success");
        int slash = f.path().lastIndexOf('/');
        String name = f.path().substring(slash + 1);
        doc.put("file.path", f.path()).put("file.name", name).put("file.directory", slash <= 0 ? "/" : f.path().substring(0, slash));
        int dot = name.lastIndexOf('.');
        if (dot > 0 && dot < name.length() - 1) doc.put("file.extension", name.substring(dot + 1));
        doc.put("file.inode", Long.toString(f.inode())).put("file.mode", f.mode()).put("file.type", "file")
                .put("file.uid", f.owner().id()).put("file.owner", f.owner().name())
                .put("file.gid", f.owner().groupId()).put("file.group", f.owner().groupName());
        if (f.targetPath() != null) doc.put("file.target_path", f.targetPath());
        actor(doc, p, auditSerial);
        return doc;
    }

    /** Both ends of one flow, as the socket owner sees them. */
    record Flow(String transport, String sourceIp, int sourcePort, String destinationIp, int destinationPort) {
        String communityId() {
            return CommunityId.v1(protocol(), Addresses.parse(sourceIp), sourcePort, Addresses.parse(destinationIp), destinationPort);
        }

        int protocol() {
            return "tcp".equals(transport) ? CommunityId.TCP : CommunityId.UDP;
        }
    }

    /** connect (egress) or accept (ingress); {@code communityId} is the flow's, the same at both ends. */
    static EventDocument connection(SyntheticProcess p, long time, Flow flow, boolean egress, String communityId, long auditSerial) {
        EventDocument doc = egress
                ? event(time, Dataset.NETWORK, "connected-to", "event", "network", "connection").put("network.direction", "egress")
                : event(time, Dataset.NETWORK, "accepted-connection-from", "event", "network", "connection").put("network.direction", "ingress");
        doc.put("destination.ip", flow.destinationIp()).put("destination.port", flow.destinationPort())
                .put("source.ip", flow.sourceIp()).put("source.port", flow.sourcePort())
                .put("network.transport", flow.transport())
                .put(Ecs.EVENT_OUTCOME, "success")
                .put("network.type", "ipv4")
                .put("network.community_id", communityId)
                .put("network.iana_number", Integer.toString(flow.protocol()));
        actor(doc, p, auditSerial);
        return doc;
    }

    /** The PAM and login records the agent maps to auth documents, with their ECS categorisation. */
    enum AuthKind {
        AUTHENTICATED("authenticated", "authentication", "info", "USER_AUTH"),
        AUTHORIZED("was-authorized", "authentication", "info", "USER_ACCT"),
        CREDENTIALS_ACQUIRED("acquired-credentials", "authentication", "info", "CRED_ACQ"),
        CREDENTIALS_REFRESHED("refreshed-credentials", "authentication", "info", "CRED_REFR"),
        CREDENTIALS_DISPOSED("disposed-credentials", "authentication", "info", "CRED_DISP"),
        LOGGED_IN("logged-in", "authentication", "start", "USER_LOGIN"),
        LOGGED_OUT("logged-out", "authentication", "end", "USER_LOGOUT"),
        SESSION_STARTED("started-session", "session", "start", "USER_START"),
        SESSION_ENDED("ended-session", "session", "end", "USER_END");

        final String action;
        final String category;
        final String type;
        final String recordType;

        AuthKind(String action, String category, String type, String recordType) {
            this.action = action;
            this.category = category;
            this.type = type;
            this.recordType = recordType;
        }
    }

    /** One auth record: who wrote it (its uid), the account acted on, from where, how. */
    record AuthFacts(AuthKind kind, boolean success, SyntheticUser recordUser, String account, String sourceIp,
                     String terminal, String method) {
    }

    static EventDocument auth(long pid, SyntheticProcess process, String executable, long time, AuthFacts a, long auditSerial) {
        EventDocument doc = event(time, Dataset.AUTH, a.kind().action, "event", a.kind().category, a.kind().type)
                .put(Ecs.EVENT_OUTCOME, a.success() ? "success" : "failure")
                .put("process.pid", pid);
        if (process != null) doc.put("process.entity_id", process.entityId());
        doc.put("process.executable", executable).put("process.name", executable.substring(executable.lastIndexOf('/') + 1))
                .put("user.id", a.recordUser().id()).put("user.name", a.recordUser().name())
                .put("user.target.name", a.account());
        // For a login the account is the user the session is for, as the agent's auth mapper has it.
        if (a.kind() == AuthKind.LOGGED_IN || a.kind() == AuthKind.AUTHENTICATED) doc.put("user.name", a.account());
        if (a.sourceIp() != null) doc.put("source.ip", a.sourceIp());
        if (a.terminal() != null) doc.put("auth.terminal", a.terminal());
        if (a.method() != null) doc.put("auth.method", a.method());
        doc.put("auditd.sequence", auditSerial).put("auditd.record_type", a.kind().recordType);
        return doc;
    }

    static EventDocument kernelModule(SyntheticProcess p, long time, String module, String path, long auditSerial) {
        EventDocument doc = event(time, Dataset.LIBRARY, "loaded-kernel-module", "event", "driver", "start")
                .put(Ecs.EVENT_OUTCOME, "success").put("driver.name", module).put("driver.path", path);
        actor(doc, p, auditSerial);
        return doc;
    }

    static EventDocument sharedLibrary(SyntheticProcess p, long time, String path, long auditSerial) {
        EventDocument doc = event(time, Dataset.LIBRARY, "loaded-library", "event", "library", "start")
                .put(Ecs.EVENT_OUTCOME, "success").put("dll.path", path).put("dll.name", path.substring(path.lastIndexOf('/') + 1));
        actor(doc, p, auditSerial);
        return doc;
    }

    /** What the agent stamps on every document, then what the ingest server adds. */
    static EventDocument stamp(EventDocument doc, SyntheticHost host, long sequence, long ingestedMillis) {
        return doc.put(Ecs.EVENT_SEQUENCE, sequence)
                .put(Ecs.HOST_ID, host.id)
                .put(Ecs.HOST_NAME, host.name)
                .put("host.boot.id", host.bootId)
                .put("host.os.type", "linux")
                .put("host.os.kernel", host.os.kernel())
                .put(Ecs.AGENT_ID, host.agentId)
                .put(Ecs.AGENT_VERSION, AGENT_VERSION)
                .put("agent.type", "fleetrec-agent")
                .put(Ecs.EVENT_INGESTED, Instant.ofEpochMilli(ingestedMillis).toString());
    }

    private static EventDocument event(long time, Dataset dataset, String action, String kind, String category, String type) {
        return EventDocument.create()
                .put(Ecs.TIMESTAMP, Instant.ofEpochMilli(time).toString())
                .put(Ecs.EVENT_DATASET, dataset.id())
                .put(Ecs.EVENT_ACTION, action)
                .put(Ecs.EVENT_KIND, kind)
                .putAll(Ecs.EVENT_CATEGORY, List.of(category))
                .putAll(Ecs.EVENT_TYPE, List.of(type));
    }

    /** The acting process of a syscall event, as the agent's process fields fill it. */
    private static void actor(EventDocument doc, SyntheticProcess p, long auditSerial) {
        doc.put("process.pid", p.pid()).put("process.parent.pid", p.parent() == null ? 0 : p.parent().pid())
                .put("process.executable", p.executable()).put("process.name", p.name())
                .put("process.entity_id", p.entityId()).put("process.start", Instant.ofEpochMilli(p.startMillis()).toString())
                .putAll("process.args", p.args()).put("process.command_line", p.commandLine());
        parent(doc, p.parent());
        users(doc, p.who());
        session(doc, p.who());
        audit(doc, auditSerial, "SYSCALL");
    }

    private static void parent(EventDocument doc, SyntheticProcess parent) {
        if (parent == null) return;
        doc.put("process.parent.entity_id", parent.entityId())
                .put("process.parent.executable", parent.executable())
                .put("process.parent.name", parent.name())
                .put("process.parent.command_line", parent.commandLine())
                .put("process.parent.start", Instant.ofEpochMilli(parent.startMillis()).toString());
    }

    private static void users(EventDocument doc, Who who) {
        doc.put("user.id", who.user().id()).put("user.name", who.user().name())
                .put("user.effective.id", who.effective().id()).put("user.effective.name", who.effective().name())
                .put("user.group.id", who.user().groupId()).put("user.group.name", who.user().groupName());
        if (who.login() != null) doc.put("user.audit.id", who.login().id()).put("user.audit.name", who.login().name());
    }

    private static void session(EventDocument doc, Who who) {
        if (who.tty() != null) doc.put("process.tty.name", who.tty());
        if (who.sessionId() != null) doc.put("process.session_id", who.sessionId());
    }

    private static void audit(EventDocument doc, long serial, String recordType) {
        doc.putAll("auditd.key", RULE_KEY).put("auditd.sequence", serial).put("auditd.record_type", recordType);
    }
}
