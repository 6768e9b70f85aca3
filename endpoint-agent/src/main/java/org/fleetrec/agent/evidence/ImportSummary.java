package org.fleetrec.agent.evidence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventCodec;
import org.fleetrec.model.TerminalText;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an import did, counted where it happened: records read, documents made, and every record
 * not made into a stored document with the reason and the first place it happened, so nothing is
 * lost without a word. Single-threaded, like the import.
 */
public final class ImportSummary {
    /** How often one reason came up, and where first ({@code file:line}). */
    public record Reason(long count, String firstAt) {
    }

    static final int MAX_REASONS = 100;
    static final String OTHER_REASONS = "(other reasons, beyond the first " + MAX_REASONS + ")";

    private long files;
    private long records;
    private long auditEvents;
    private long documents;
    private long stored;
    private long alreadyStored;
    private final Map<String, Reason> skipped = new TreeMap<>();
    private final Map<String, Reason> failed = new TreeMap<>();
    private final Map<String, Reason> rejected = new TreeMap<>();
    private final Map<String, Long> documentsByHost = new TreeMap<>();
    private final Map<String, Reason> skippedFiles = new TreeMap<>();

    void file() {
        files++;
    }

    void record() {
        records++;
    }

    void auditEvent() {
        auditEvents++;
    }

    void document(EvidenceHost host) {
        documents++;
        documentsByHost.merge(host.name(), 1L, Long::sum);
    }

    void skipped(String reason, String at) {
        count(skipped, reason, at, 1);
    }

    void skippedFile(String reason, String file) {
        count(skippedFiles, reason, file, 1);
    }

    void failed(String reason, String at) {
        count(failed, reason, at, 1);
    }

    void shipped(int storedNow, int duplicatesNow) {
        stored += storedNow;
        alreadyStored += duplicatesNow;
    }

    void rejected(String reason, String at) {
        count(rejected, reason, at, 1);
    }

    private static void count(Map<String, Reason> reasons, String reason, String at, long n) {
        // Reasons can quote the evidence: a garbage file must not grow the summary without end.
        if (reasons.size() >= MAX_REASONS && !reasons.containsKey(reason)) reason = OTHER_REASONS;
        reasons.merge(reason, new Reason(n, at), (a, b) -> new Reason(a.count() + b.count(), a.firstAt()));
    }

    public long files() {
        return files;
    }

    public long records() {
        return records;
    }

    public long auditEvents() {
        return auditEvents;
    }

    public long documents() {
        return documents;
    }

    public long stored() {
        return stored;
    }

    public long alreadyStored() {
        return alreadyStored;
    }

    public Map<String, Reason> skipped() {
        return Map.copyOf(skipped);
    }

    public Map<String, Reason> skippedFiles() {
        return Map.copyOf(skippedFiles);
    }

    public Map<String, Reason> failed() {
        return Map.copyOf(failed);
    }

    public Map<String, Reason> rejected() {
        return Map.copyOf(rejected);
    }

    public Map<String, Long> documentsByHost() {
        return Map.copyOf(documentsByHost);
    }

    static long total(Map<String, Reason> reasons) {
        return reasons.values().stream().mapToLong(Reason::count).sum();
    }

    /** True when every record read became a stored document or was skipped for a stated reason. */
    public boolean clean() {
        return failed.isEmpty() && rejected.isEmpty();
    }

    /** For people: counts, then each reason; reasons and places came from the evidence, so they are made safe for a terminal. */
    void print(PrintStream out, boolean shipped) {
        out.printf("files     %,12d read, %,d skipped%n", files - total(skippedFiles), total(skippedFiles));
        reasons(out, skippedFiles);
        out.printf("records   %,12d read%s%n", records, auditEvents > 0 ? String.format(" (%,d audit events)", auditEvents) : "");
        out.printf("mapped    %,12d documents%n", documents);
        out.printf("skipped   %,12d%n", total(skipped));
        reasons(out, skipped);
        out.printf("failed    %,12d%n", total(failed));
        reasons(out, failed);
        if (shipped) {
            out.printf("stored    %,12d new, %,d already stored%n", stored, alreadyStored);
            out.printf("rejected  %,12d by the server%n", total(rejected));
            reasons(out, rejected);
        } else {
            out.println("(dry run: nothing was shipped)");
        }
        out.println("hosts:");
        documentsByHost.forEach((host, n) -> out.printf("  %,10d  %s%n", n, TerminalText.safe(host)));
    }

    private static void reasons(PrintStream out, Map<String, Reason> reasons) {
        reasons.forEach((reason, r) -> out.printf("  %,10d  %s (first at %s)%n", r.count(), TerminalText.safe(reason),
                TerminalText.safe(r.firstAt())));
    }

    /** For scripts: the same, as one JSON object. */
    ObjectNode json() {
        ObjectNode root = EventCodec.mapper().createObjectNode()
                .put("files", files).put("records", records).put("audit_events", auditEvents)
                .put("documents", documents).put("stored", stored).put("already_stored", alreadyStored);
        reasonsJson(root.putObject("skipped_files"), skippedFiles);
        reasonsJson(root.putObject("skipped"), skipped);
        reasonsJson(root.putObject("failed"), failed);
        reasonsJson(root.putObject("rejected"), rejected);
        ObjectNode hosts = root.putObject("hosts");
        documentsByHost.forEach(hosts::put);
        return root;
    }

    private static void reasonsJson(ObjectNode node, Map<String, Reason> reasons) {
        reasons.forEach((reason, r) -> node.putObject(reason).put("count", r.count()).put("first_at", r.firstAt()));
    }
}
