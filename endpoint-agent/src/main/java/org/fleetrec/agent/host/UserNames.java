package org.fleetrec.agent.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * uid/gid → name from /etc/passwd and /etc/group, re-read when either file changes (checked at
 * most once a second), so users created or renamed after start get their current names.
 */
public final class UserNames {
    private static final long CHECK_MILLIS = 1_000;

    private final Path passwd;
    private final Path group;
    private Map<String, String> users = Map.of();
    private Map<String, String> groups = Map.of();
    private long checkedAt;
    private long passwdModified = -1;
    private long groupModified = -1;

    public UserNames() {
        this(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /** Knows no names: for records from another machine, whose users this host's files do not list. */
    public static UserNames none() {
        return new UserNames(org.fleetrec.agent.process.ProcessTable.NO_PROC.resolve("passwd"),
                org.fleetrec.agent.process.ProcessTable.NO_PROC.resolve("group"));
    }

    public UserNames(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
        reload();
    }

    public synchronized String user(String uid) {
        return lookup(uid, true);
    }

    public synchronized String group(String gid) {
        return lookup(gid, false);
    }

    private String lookup(String id, boolean user) {
        if (id == null || id.equals("4294967295") || id.equals("-1") || id.equals("unset")) return null;
        long now = System.currentTimeMillis();
        if (now - checkedAt >= CHECK_MILLIS) {
            checkedAt = now;
            if (modified(passwd) != passwdModified || modified(group) != groupModified) reload();
        }
        return (user ? users : groups).get(id);
    }

    private void reload() {
        passwdModified = modified(passwd);
        groupModified = modified(group);
        users = parse(passwd);
        groups = parse(group);
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() ^ Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static Map<String, String> parse(Path file) {
        Map<String, String> names = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.split(":", -1);
                if (parts.length > 2 && !parts[0].isEmpty()) names.putIfAbsent(parts[2], parts[0]);
            }
        } catch (IOException e) {
            // an unreadable file leaves ids without names, never stops capture
        }
        return names;
    }
}
