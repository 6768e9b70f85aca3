package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import org.fleetrec.model.EventCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/search/export?q=&from=&to=&dataset=&host=&sort=&format=ndjson|csv&fields=}: every
 * event the search matches, read from one point in time in pages of {@value #PAGE} and written to the
 * response as each page arrives, so an export of any size never sits in memory.
 *
 * <p>NDJSON: one stored document a line (only {@code fields} when given). CSV: a header row of
 * {@code fields} (default {@link #DEFAULT_CSV_FIELDS}), then one row an event, see {@link CsvCells}.
 * {@code _index} and {@code _id} may be asked for as fields. A failure after the first bytes were sent
 * cuts the connection, so a partial export can never pass for a complete one.
 */
final class SearchExport {
    private static final Logger log = LoggerFactory.getLogger(SearchExport.class);
    static final int PAGE = 1_000;
    static final List<String> DEFAULT_CSV_FIELDS = List.of("@timestamp", "host.name", "event.dataset", "event.action",
            "process.pid", "process.name", "process.command_line", "user.name", "source.ip", "destination.ip",
            "destination.port", "file.path");
    private static final Set<String> LOCATION_FIELDS = Set.of("_index", "_id");
    private static final int MAX_FIELDS = 200;
    private static final List<String> AUDITED = List.of("q", "from", "to", "dataset", "host", "sort", "format", "fields");
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private enum Format { NDJSON, CSV }

    private record Outcome(long rows, boolean complete) {
    }

    private final ElasticsearchClient client;
    private final PointInTimePages pages;
    private final AuditTrail audit;

    SearchExport(ElasticsearchClient client, AuditTrail audit) {
        this.client = client;
        this.pages = new PointInTimePages(client);
        this.audit = audit;
    }

    void export(Context ctx) throws Exception {
        Map<String, String> parameters = AuditTrail.queryParameters(ctx, AUDITED);
        Outcome outcome;
        try {
            outcome = stream(ctx);
        } catch (Exception e) {
            audit.record(ctx, "export", parameters, -1, AuditTrail.FAILURE);
            throw e;
        }
        audit.record(ctx, "export", parameters, outcome.rows(), outcome.complete() ? AuditTrail.SUCCESS : AuditTrail.FAILURE);
    }

    private Outcome stream(Context ctx) throws IOException {
        EventQuery query = EventQuery.from(ctx);
        EventSort sort = EventSort.parse(ctx.queryParam("sort"), client, query.indices());
        Format format = format(ctx.queryParam("format"));
        List<String> fields = fields(ctx.queryParam("fields"), format);
        List<String> sourceFields = fields == null ? null
                : fields.stream().filter(f -> !LOCATION_FIELDS.contains(f)).toList();

        String pitId = pages.open(query);
        // The first page is read before anything is sent: a query that fails still gets a clean 400.
        SearchResponse<ObjectNode> page;
        try {
            page = pages.page(pitId, query, sort, PAGE, null, sourceFields, false);
        } catch (RuntimeException | IOException e) {
            pages.close(pitId);
            throw e;
        }
        String extension = format == Format.CSV ? "csv" : "ndjson";
        ctx.status(200)
                .contentType(format == Format.CSV ? "text/csv; charset=utf-8; header=present" : EventCodec.CONTENT_TYPE + "; charset=utf-8")
                .header("Content-Disposition", "attachment; filename=\"fleet-events-" + FILE_TIME.format(Instant.now()) + "." + extension + "\"")
                .header("Cache-Control", "no-store");

        long rows = 0;
        try {
            Writer out = new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8), 64 * 1024);
            ObjectWriter json = EventCodec.mapper().writer();
            if (format == Format.CSV) out.write(CsvCells.row(fields));
            while (true) {
                List<Hit<ObjectNode>> hits = page.hits().hits();
                for (Hit<ObjectNode> hit : hits) {
                    if (format == Format.CSV) {
                        out.write(csvRow(hit, fields));
                    } else {
                        out.write(json.writeValueAsString(ndjsonDocument(hit, fields)));
                        out.write('\n');
                    }
                    rows++;
                }
                out.flush();
                if (hits.size() < PAGE) break;
                if (page.pitId() != null) pitId = page.pitId();
                page = pages.page(pitId, query, sort, PAGE, hits.get(hits.size() - 1).sort(), sourceFields, false);
            }
            out.close();
            return new Outcome(rows, true);
        } catch (Exception e) {
            log.warn("export cut off after {} rows: {}", rows, e.toString());
            abortConnection(ctx, e);
            return new Outcome(rows, false);
        } finally {
            pages.close(pitId);
        }
    }

    private static String csvRow(Hit<ObjectNode> hit, List<String> fields) {
        List<String> cells = new ArrayList<>(fields.size());
        for (String field : fields) {
            cells.add(switch (field) {
                case "_index" -> CsvCells.defused(hit.index());
                case "_id" -> CsvCells.defused(hit.id());
                default -> CsvCells.cell(SourceFields.valueAt(hit.source(), field));
            });
        }
        return CsvCells.row(cells);
    }

    private static ObjectNode ndjsonDocument(Hit<ObjectNode> hit, List<String> fields) {
        ObjectNode doc = hit.source() == null ? EventCodec.mapper().createObjectNode() : hit.source();
        if (fields != null && fields.contains("_index")) doc.put("_index", hit.index());
        if (fields != null && fields.contains("_id")) doc.put("_id", hit.id());
        return doc;
    }

    /**
     * Headers and part of the body are gone: no status can tell the client any more. Cutting the
     * connection before the final chunk is what makes every HTTP client report the body incomplete.
     */
    private static void abortConnection(Context ctx, Exception cause) {
        org.eclipse.jetty.server.Request request = org.eclipse.jetty.server.Request.getBaseRequest(ctx.req());
        if (request != null && request.getHttpChannel() != null) request.getHttpChannel().abort(cause);
    }

    private static Format format(String value) {
        if (value == null || value.isBlank() || value.equalsIgnoreCase("ndjson")) return Format.NDJSON;
        if (value.equalsIgnoreCase("csv")) return Format.CSV;
        throw new BadRequestResponse("format must be ndjson or csv");
    }

    /** The asked-for fields in order; null for NDJSON without {@code fields}, meaning whole documents. */
    private static List<String> fields(String value, Format format) {
        if (value == null || value.isBlank()) return format == Format.CSV ? DEFAULT_CSV_FIELDS : null;
        Set<String> fields = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String field = part.trim();
            if (field.isEmpty()) continue;
            if (!EventSort.FIELD_NAME.matcher(field).matches()) throw new BadRequestResponse("not a field name: " + field);
            fields.add(field);
        }
        if (fields.isEmpty()) throw new BadRequestResponse("fields names no field");
        if (fields.size() > MAX_FIELDS) throw new BadRequestResponse("at most " + MAX_FIELDS + " fields");
        return List.copyOf(fields);
    }
}
