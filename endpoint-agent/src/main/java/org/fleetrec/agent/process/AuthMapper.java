package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Records that PAM, login, sshd, sudo and the user tools send (USER_*, CRED_*, LOGIN, ADD_USER …)
 * as auth documents: who tried to become whom, from where, through which program, and whether
 * it worked.
 */
public final class AuthMapper {
    private record Kind(String action, String category, String type) {
    }

    private static final Map<Integer, Kind> KINDS = Map.ofEntries(
            Map.entry(RecordTypes.USER_LOGIN, new Kind("logged-in", "authentication", "start")),
            Map.entry(RecordTypes.USER_LOGOUT, new Kind("logged-out", "authentication", "end")),
            Map.entry(RecordTypes.USER_AUTH, new Kind("authenticated", "authentication", "info")),
            Map.entry(RecordTypes.USER_ACCT, new Kind("was-authorized", "authentication", "info")),
            Map.entry(RecordTypes.USER_ERR, new Kind("error", "authentication", "info")),
            Map.entry(RecordTypes.USER_START, new Kind("started-session", "session", "start")),
            Map.entry(RecordTypes.USER_END, new Kind("ended-session", "session", "end")),
            Map.entry(RecordTypes.CRED_ACQ, new Kind("acquired-credentials", "authentication", "info")),
            Map.entry(RecordTypes.CRED_DISP, new Kind("disposed-credentials", "authentication", "info")),
            Map.entry(RecordTypes.CRED_REFR, new Kind("refreshed-credentials", "authentication", "info")),
            Map.entry(RecordTypes.USER_CMD, new Kind("ran-command", "process", "start")),
            Map.entry(RecordTypes.LOGIN, new Kind("changed-login-id", "authentication", "change")),
            Map.entry(RecordTypes.USER_CHAUTHTOK, new Kind("changed-password", "iam", "change")),
            Map.entry(RecordTypes.ADD_USER, new Kind("added-user-account", "iam", "creation")),
            Map.entry(RecordTypes.DEL_USER, new Kind("deleted-user-account", "iam", "deletion")),
            Map.entry(RecordTypes.ADD_GROUP, new Kind("added-group-account", "iam", "creation")),
            Map.entry(RecordTypes.DEL_GROUP, new Kind("deleted-group-account", "iam", "deletion")),
            Map.entry(RecordTypes.USER_MGMT, new Kind("modified-user-account", "iam", "change")),
            Map.entry(RecordTypes.GRP_MGMT, new Kind("modified-group-account", "iam", "change")));

    private final ProcessFields fields;
    private final UserNames names;
    private final ProcessTable processes;

    public AuthMapper(ProcessFields fields, UserNames names, ProcessTable processes) {
        this.fields = fields;
        this.names = names;
        this.processes = processes;
    }

    public static boolean handles(AuditRecord record) {
        return KINDS.containsKey(record.type());
    }

    public EventDocument map(AuditEvent event, AuditRecord record) {
        Kind kind = KINDS.get(record.type());
        EventDocument doc = Documents.event(Instant.ofEpochMilli(event.epochMillis()), Dataset.AUTH, kind.action(),
                "event", kind.category(), kind.type());
        String result = record.field("res");
        if (result != null) doc.put(Ecs.EVENT_OUTCOME, result.startsWith("succ") || "1".equals(result) ? "success" : "failure");
        long pid = ProcessFields.number(record.field("pid"));
        if (pid > 0) {
            doc.put("process.pid", pid);
            processes.current(pid).ifPresent(p -> doc.put("process.entity_id", p.entityId()));
        }
        String exe = record.text("exe");
        if (exe != null) doc.put("process.executable", exe).put("process.name", CommandLines.baseName(exe));
        fields.users(doc, record);
        // The account acted on: acct (a name) or id (a uid), e.g. who logged in, who was added.
        String account = record.text("acct");
        String accountId = record.field("id");
        if (account != null && !"?".equals(account) && !"(unknown)".equals(account)) {
            doc.put("user.target.name", account);
        } else if (accountId != null && !"?".equals(accountId)) {
            doc.put("user.target.id", accountId).put("user.target.name", names.user(accountId));
        }
        if (record.type() == RecordTypes.USER_LOGIN || record.type() == RecordTypes.USER_AUTH) {
            // For a login the account is the user the session is for.
            if (doc.has("user.target.name")) doc.put("user.name", doc.text("user.target.name"));
            if (doc.has("user.target.id")) doc.put("user.id", doc.text("user.target.id"));
        }
        address(record.field("addr")).ifPresent(ip -> doc.put("source.ip", ip));
        String hostname = record.text("hostname");
        if (hostname != null && !"?".equals(hostname) && address(hostname).isEmpty()) doc.put("source.domain", hostname);
        String terminal = record.text("terminal");
        if (terminal != null && !"?".equals(terminal)) doc.put("auth.terminal", terminal);
        String command = record.text("cmd");
        if (command != null) doc.put("process.command_line", command);
        String operation = record.text("op");
        if (operation != null) doc.put("auth.method", operation);
        ProcessFields.audit(doc, event, record);
        return doc;
    }

    private static Optional<String> address(String value) {
        if (value == null || value.isEmpty() || "?".equals(value) || !value.matches("[0-9a-fA-F:.]+")) return Optional.empty();
        try {
            return Optional.of(org.fleetrec.agent.audit.SockAddr.unmapped(InetAddress.getByName(value)).getHostAddress());
        } catch (java.net.UnknownHostException e) {
            return Optional.empty();
        }
    }
}
