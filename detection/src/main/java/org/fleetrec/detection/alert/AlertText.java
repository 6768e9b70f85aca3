package org.fleetrec.detection.alert;

import org.fleetrec.model.TerminalText;

/**
 * Alert text meant for people and line-based receivers (syslog, chat hooks, log files). Command
 * lines and paths come from endpoints and are attacker-controlled: here they can never carry a
 * line break or control character that would forge a second record or drive a terminal.
 */
public final class AlertText {
    /** Longest summary line. */
    public static final int MAX_SUMMARY = 512;

    private AlertText() {
    }

    /**
     * One line, at most {@code maxChars} long: control characters (C0, DEL, C1) become {@code \xNN} as
     * everywhere in the project, and the Unicode line and paragraph separators {@code \u2028}/{@code \u2029}
     * too, since some viewers break lines on them.
     */
    public static String safe(String text, int maxChars) {
        if (text == null) return "";
        String shown = TerminalText.safe(text).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
        return AlertContext.bounded(shown, maxChars);
    }

    /** {@code high: <rule title> on <host> - <executable> (pid N) by <user>}: what happened, in one safe line. */
    public static String summary(Alert alert) {
        StringBuilder line = new StringBuilder();
        line.append(alert.level().id()).append(": ").append(alert.rule().title()).append(" on ")
                .append(alert.hostName() != null ? alert.hostName() : alert.hostId());
        Object process = alert.context().getOrDefault("process.executable", alert.context().get("process.name"));
        if (process != null) {
            line.append(" - ").append(process);
            Object pid = alert.context().get("process.pid");
            if (pid != null) line.append(" (pid ").append(pid).append(')');
        }
        Object user = alert.context().get("user.name");
        if (user != null) line.append(" by ").append(user);
        if (alert.count() > 1) line.append(", ").append(alert.count()).append(" matches");
        return safe(line.toString(), MAX_SUMMARY);
    }
}
