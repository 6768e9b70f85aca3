package org.fleetrec.agent.process;

import org.fleetrec.agent.audit.AuditEvent;
import org.fleetrec.agent.audit.AuditRecord;
import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.host.UserNames;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * File syscalls caught by watched paths (or user rules) as file documents: created, modified,
 * deleted, renamed, attributes-changed or read. Paths are made absolute against the CWD (or the
 * directory fd of *at calls) and normalised; on the host that recorded them, symlinks in the
 * directory are resolved too.
 */
public final class FileMapper {
    private static final long AT_FDCWD = 0xffffff9cL;
    private static final long WRITE_FLAGS = 0x1 | 0x2 | 0x200 | 0x400; // O_WRONLY | O_RDWR | O_TRUNC | O_APPEND

    private final ProcessFields fields;
    private final UserNames names;
    private final Path proc;
    private final boolean localFiles;

    /**
     * @param localFiles whether the files named are this host's: false for evidence from another
     *                   machine, whose paths are kept as written (a same-named symlink here says
     *                   nothing of its directories)
     */
    public FileMapper(ProcessFields fields, UserNames names, Path proc, boolean localFiles) {
        this.fields = fields;
        this.names = names;
        this.proc = proc;
        this.localFiles = localFiles;
    }

    public Optional<EventDocument> map(AuditEvent event, String syscallName) {
        AuditRecord syscall = event.first(RecordTypes.SYSCALL);
        List<AuditRecord> items = event.all(RecordTypes.PATH).stream()
                .filter(p -> !"PARENT".equals(p.field("nametype"))).toList();
        // A call that failed before reaching the file (EEXIST, ENOENT) leaves only the parent
        // item, whose name is still the path the process asked for.
        if (items.isEmpty()) items = event.all(RecordTypes.PATH);
        if (items.isEmpty()) return Optional.empty();
        String action;
        AuditRecord subject = items.get(0);
        AuditRecord target = null;
        switch (syscallName) {
            case "rename", "renameat", "renameat2" -> {
                action = "renamed";
                subject = first(items, "DELETE").orElse(items.get(0));
                AuditRecord old = subject;
                target = first(items, "CREATE").orElse(items.stream().filter(p -> p != old).findFirst().orElse(null));
            }
            case "unlink", "unlinkat", "rmdir" -> {
                action = "deleted";
                subject = first(items, "DELETE").orElse(items.get(0));
            }
            case "open", "openat", "openat2", "creat" -> {
                Optional<AuditRecord> created = first(items, "CREATE");
                if (created.isPresent()) {
                    action = "created";
                    subject = created.get();
                } else {
                    action = "creat".equals(syscallName) || (openFlags(syscall, syscallName) & WRITE_FLAGS) != 0 ? "modified" : "read";
                }
            }
            case "truncate", "ftruncate" -> action = "modified";
            case "mkdir", "mkdirat", "link", "linkat", "symlink", "symlinkat", "mknod", "mknodat" -> {
                action = "created";
                subject = first(items, "CREATE").orElse(items.get(items.size() - 1));
            }
            case "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat", "lchown", "setxattr", "lsetxattr",
                 "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "utimensat", "utime", "utimes" ->
                    action = "attributes-changed";
            default -> {
                return Optional.empty();
            }
        }
        String type = switch (action) {
            case "created" -> "creation";
            case "deleted" -> "deletion";
            case "read" -> "access";
            default -> "change";
        };
        EventDocument doc = Documents.event(Instant.ofEpochMilli(event.epochMillis()), Dataset.FILE, action, "event", "file", type)
                .put(Ecs.EVENT_OUTCOME, "no".equals(syscall.field("success")) ? "failure" : "success");
        String cwd = event.first(RecordTypes.CWD) == null ? null : event.first(RecordTypes.CWD).text("cwd");
        long pid = ProcessFields.number(syscall.field("pid"));
        String path = absolute(subject.text("name"), cwd, pid, syscall, syscallName);
        file(doc, subject, path);
        if (target != null) doc.put("file.target_path", absolute(target.text("name"), cwd, pid, syscall, syscallName));
        fields.fill(doc, event, syscall);
        return Optional.of(doc);
    }

    private void file(EventDocument doc, AuditRecord item, String path) {
        if (path != null) {
            // String operations, not Path: a forged name may hold characters no Path accepts.
            int slash = path.lastIndexOf('/');
            String name = slash < 0 ? path : path.substring(slash + 1);
            doc.put("file.path", path).put("file.name", name)
                    .put("file.directory", slash <= 0 ? "/" : path.substring(0, slash));
            int dot = name.lastIndexOf('.');
            if (dot > 0 && dot < name.length() - 1) doc.put("file.extension", name.substring(dot + 1));
        }
        doc.put("file.inode", item.field("inode"));
        String mode = item.field("mode");
        if (mode != null && mode.length() >= 4) {
            doc.put("file.mode", mode.substring(mode.length() - 4));
            doc.put("file.type", switch (mode.length() > 4 ? mode.substring(0, mode.length() - 4) : "") {
                case "04", "004" -> "dir";
                case "012", "0012" -> "symlink";
                case "010", "0010" -> "file";
                default -> null;
            });
        }
        String uid = item.field("ouid");
        String gid = item.field("ogid");
        if (uid != null) doc.put("file.uid", uid).put("file.owner", names.user(uid));
        if (gid != null) doc.put("file.gid", gid).put("file.group", names.group(gid));
    }

    private static Optional<AuditRecord> first(List<AuditRecord> items, String nametype) {
        return items.stream().filter(p -> nametype.equals(p.field("nametype"))).findFirst();
    }

    private static long openFlags(AuditRecord syscall, String syscallName) {
        return ProcessFields.argument(syscall, "open".equals(syscallName) ? 1 : 2);
    }

    /** Absolute and normalised; relative names resolve against the directory fd of *at calls, else the CWD. */
    String absolute(String name, String cwd, long pid, AuditRecord syscall, String syscallName) {
        if (name == null || name.isEmpty() || "(null)".equals(name)) return null;
        String base = cwd;
        if (!name.startsWith("/") && (syscallName.endsWith("at") || syscallName.endsWith("at2"))) {
            long dirfd = ProcessFields.argument(syscall, 0);
            if (dirfd >= 0 && dirfd != AT_FDCWD) {
                base = ProcStat.link(proc, pid, "fd/" + dirfd).orElse(cwd);
            }
        }
        Path path;
        try {
            path = (name.startsWith("/") || base == null ? Path.of(name) : Path.of(base).resolve(name)).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return name; // not a path this system could have (a NUL in a forged log): keep it as given
        }
        Path parent = path.getParent();
        if (localFiles && parent != null && path.getFileName() != null) {
            try {
                if (Files.isDirectory(parent)) path = parent.toRealPath().resolve(path.getFileName());
            } catch (java.io.IOException | SecurityException e) {
                // keep the lexical form
            }
        }
        return path.toString();
    }
}
