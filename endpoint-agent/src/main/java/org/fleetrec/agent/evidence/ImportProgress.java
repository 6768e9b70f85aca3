package org.fleetrec.agent.evidence;

import java.io.PrintStream;

/**
 * A one-line progress bar on a terminal (files done by size, records so far, the current file);
 * silent when the output is not a terminal, where a script reads only the summary.
 */
final class ImportProgress {
    private static final long REDRAW_MILLIS = 200;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final long totalBytes;
    private long doneBytes;
    private long records;
    private String current = "";
    private long drawnAt;

    ImportProgress(PrintStream out, long totalBytes) {
        this.out = out;
        this.totalBytes = Math.max(1, totalBytes);
    }

    static ImportProgress none() {
        return new ImportProgress(null, 1);
    }

    void starting(String file) {
        current = file;
        draw(true);
    }

    void finished(long bytes) {
        doneBytes += bytes;
        draw(true);
    }

    void record() {
        records++;
        if ((records & 0xFF) == 0) draw(false);
    }

    void end() {
        if (out != null) out.print("\r" + " ".repeat(WIDTH + 80) + "\r");
    }

    private void draw(boolean force) {
        if (out == null) return;
        long now = System.currentTimeMillis();
        if (!force && now - drawnAt < REDRAW_MILLIS) return;
        drawnAt = now;
        int filled = (int) (WIDTH * Math.min(1.0, (double) doneBytes / totalBytes));
        String name = current.length() > 40 ? "…" + current.substring(current.length() - 39) : current;
        out.printf("\r[%s%s] %3d%% %,d records  %s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                100 * doneBytes / totalBytes, records, org.fleetrec.model.TerminalText.safe(name));
        out.flush();
    }
}
