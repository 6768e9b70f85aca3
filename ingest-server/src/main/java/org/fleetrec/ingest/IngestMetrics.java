package org.fleetrec.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters exposed at /metrics in the Prometheus text format. */
final class IngestMetrics {
    private final LongAdder batches = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder bodyBytes = new LongAdder();
    private final LongAdder esRequests = new LongAdder();
    private final LongAdder esNanos = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    void batch(int acceptedDocs, int duplicateDocs, int rejectedDocs) {
        batches.increment();
        accepted.add(acceptedDocs);
        duplicates.add(duplicateDocs);
        rejected.add(rejectedDocs);
    }

    void bytes(long n) {
        bodyBytes.add(n);
    }

    void error(String reason) {
        errors.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void elasticsearchLatency(long nanos) {
        esRequests.increment();
        esNanos.add(nanos);
    }

    private volatile java.util.function.IntSupplier bulkPendingOperations = () -> 0;
    private volatile java.util.function.IntSupplier bulkPendingRequests = () -> 0;

    /** The bulk writer's buffered documents and requests in flight, read when scraped. */
    void bulkGauges(java.util.function.IntSupplier pendingOperations, java.util.function.IntSupplier pendingRequests) {
        this.bulkPendingOperations = pendingOperations;
        this.bulkPendingRequests = pendingRequests;
    }

    AtomicLong inFlight() {
        return inFlight;
    }

    String render() {
        StringBuilder out = new StringBuilder();
        counter(out, "fleetrec_ingest_batches_total", "Batches answered 200.", batches.sum());
        counter(out, "fleetrec_ingest_events_total{result=\"accepted\"}", "Events by outcome.", accepted.sum());
        out.append("fleetrec_ingest_events_total{result=\"duplicate\"} ").append(duplicates.sum()).append('\n');
        out.append("fleetrec_ingest_events_total{result=\"rejected\"} ").append(rejected.sum()).append('\n');
        counter(out, "fleetrec_ingest_body_bytes_total", "Compressed request bytes received.", bodyBytes.sum());
        out.append("# HELP fleetrec_ingest_errors_total Requests refused, by reason.\n# TYPE fleetrec_ingest_errors_total counter\n");
        errors.forEach((reason, n) -> out.append("fleetrec_ingest_errors_total{reason=\"").append(reason).append("\"} ")
                .append(n.sum()).append('\n'));
        counter(out, "fleetrec_ingest_elasticsearch_requests_total", "Bulk requests sent.", esRequests.sum());
        out.append("fleetrec_ingest_elasticsearch_seconds_total ").append(esNanos.sum() / 1e9).append('\n');
        out.append("# HELP fleetrec_ingest_queue_depth Agent batches being written.\n")
                .append("# TYPE fleetrec_ingest_queue_depth gauge\nfleetrec_ingest_queue_depth ").append(inFlight.get()).append('\n');
        out.append("# HELP fleetrec_ingest_bulk_pending_operations Documents buffered for the next bulk request.\n")
                .append("# TYPE fleetrec_ingest_bulk_pending_operations gauge\nfleetrec_ingest_bulk_pending_operations ")
                .append(bulkPendingOperations.getAsInt()).append('\n');
        out.append("# HELP fleetrec_ingest_bulk_requests_in_flight Bulk requests Elasticsearch has not answered yet.\n")
                .append("# TYPE fleetrec_ingest_bulk_requests_in_flight gauge\nfleetrec_ingest_bulk_requests_in_flight ")
                .append(bulkPendingRequests.getAsInt()).append('\n');
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        String base = name.contains("{") ? name.substring(0, name.indexOf('{')) : name;
        out.append("# HELP ").append(base).append(' ').append(help).append('\n')
                .append("# TYPE ").append(base).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }
}
