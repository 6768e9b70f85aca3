package org.fleetrec.agent.source.line;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where a follower picks up after a restart, from the position it saved: in the followed file itself
 * if it still holds that position; else in the rotated file that does ({@code log.1}, {@code log.2}, ...,
 * as auditd and logrotate name them), whose rest is read first, then every newer rotated file and the
 * followed file from their start. If no file holds it (rotated away, compressed, or the log was
 * truncated in place while we were stopped), the followed file is read from its start: all of it was
 * written after the saved position, and what the lost file held past it cannot be had any more.
 *
 * <p>The files are opened here, at once, so that a rotation while catching up cannot change which
 * files these are.
 *
 * @param backlog rotated files to finish, oldest first, each at the offset to read from
 * @param live    the followed file, at the offset to read from; null if it does not exist now
 * @param account what was decided, for the log
 */
record ResumePlan(List<OpenLog> backlog, OpenLog live, String account) {
    /** auditd keeps at most 999 logs; the search stops at the first missing number anyway. */
    private static final int MAX_ROTATED = 999;

    static ResumePlan find(Path log, LogPosition saved) throws IOException {
        OpenLog live = OpenLog.open(log);
        List<OpenLog> newestFirst = new ArrayList<>();
        try {
            if (live != null && saved.isIn(live.channel)) {
                live.position = saved.offset();
                return new ResumePlan(List.of(), live, "resuming at byte " + saved.offset() + " of " + log);
            }
            for (int n = 1; n <= MAX_ROTATED; n++) {
                Path name = Path.of(log + "." + n);
                OpenLog rotated = OpenLog.open(name);
                if (rotated == null) break;
                newestFirst.add(rotated);
                if (saved.isIn(rotated.channel)) {
                    rotated.position = saved.offset();
                    List<OpenLog> backlog = new ArrayList<>(newestFirst);
                    Collections.reverse(backlog);
                    return new ResumePlan(List.copyOf(backlog), live, "resuming at byte " + saved.offset() + " of "
                            + name + " (rotated), then " + (n - 1) + " newer rotated file(s) and " + log + " from the start");
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(newestFirst, live);
            throw e;
        }
        closeAll(newestFirst, null);
        return new ResumePlan(List.of(), live, "no file holds the saved position (byte " + saved.offset()
                + " of a file rotated away or truncated since); reading " + log + " from the start");
    }

    private static void closeAll(List<OpenLog> files, OpenLog also) throws IOException {
        for (OpenLog f : files) f.close();
        if (also != null) also.close();
    }
}
