package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import org.fleetrec.model.EventCodec;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * {@code GET /api/v1/search?q=&from=&to=&dataset=&host=&size=&sort=&search_after=}: Lucene query
 * syntax over the ECS fields of every event index, newest first unless {@code sort} says otherwise,
 * answered as {@code {"total": N, "took": ms, "hits": [...], "next": "cursor"}}.
 *
 * <p>Each hit is the event document with two extra keys, {@code _index} and {@code _id}, naming where
 * it is stored. {@code total} is exact. {@code next} is present when more hits follow: passing it as
 * {@code search_after} with the same query parameters gives the next page from the same point in time,
 * so a result set is read completely, each hit once, however many pages it takes. The same search
 * can be POSTed as a form ({@link #searchPosted}) when a cursor is too long for a URL.
 */
final class SearchApi {
    static final int DEFAULT_SIZE = 100;
    static final int MAX_SIZE = 10_000;
    private static final List<String> AUDITED = List.of("q", "from", "to", "dataset", "host", "size", "sort", "search_after");

    private final ElasticsearchClient client;
    private final PointInTimePages pages;
    private final AuditTrail audit;

    SearchApi(ElasticsearchClient client, AuditTrail audit) {
        this.client = client;
        this.pages = new PointInTimePages(client);
        this.audit = audit;
    }

    void search(Context ctx) throws Exception {
        search(ctx, ctx::queryParam);
    }

    /**
     * {@code POST /api/v1/search} with the same parameters as a form body: a cursor holds a point in
     * time, which grows with the number of daily indices searched and can outgrow what a URL may carry.
     */
    void searchPosted(Context ctx) throws Exception {
        search(ctx, name -> ctx.formParam(name) != null ? ctx.formParam(name) : ctx.queryParam(name));
    }

    private void search(Context ctx, Function<String, String> parameter) throws Exception {
        audit.run(ctx, "search", AuditTrail.parameters(parameter, AUDITED), () -> answer(ctx, parameter));
    }

    private long answer(Context ctx, Function<String, String> parameter) throws IOException {
        EventQuery query = EventQuery.from(parameter);
        int size = WholeNumber.parse("size", parameter.apply("size"), DEFAULT_SIZE, 0, MAX_SIZE);
        EventSort sort = EventSort.parse(parameter.apply("sort"), client, query.indices());
        String cursorText = EventQuery.blankToNull(parameter.apply("search_after"));
        SearchCursor cursor = cursorText == null ? null : SearchCursor.decode(cursorText);
        String fingerprint = query.fingerprint(sort);
        if (cursor != null && !cursor.fingerprint().equals(fingerprint)) {
            throw new BadRequestResponse("search_after belongs to another search: give the same q, from, to, dataset, host "
                    + "and sort as the page that returned it");
        }

        String pitId = cursor == null ? pages.open(query) : cursor.pitId();
        // One hit more than asked tells whether another page follows, without a page that comes back empty.
        int fetch = size == 0 ? 0 : Math.min(size + 1, MAX_SIZE);
        SearchResponse<ObjectNode> response;
        try {
            response = pages.page(pitId, query, sort, fetch, cursor == null ? null : cursor.after(), null, true);
        } catch (RuntimeException | IOException e) {
            if (cursor == null) pages.close(pitId);
            throw e;
        }
        List<Hit<ObjectNode>> found = response.hits().hits();
        boolean more = size > 0 && (found.size() > size || (fetch == size && found.size() == size));
        List<Hit<ObjectNode>> shown = found.subList(0, Math.min(size, found.size()));
        String nextPitId = response.pitId() != null ? response.pitId() : pitId;

        long total = response.hits().total() == null ? shown.size() : response.hits().total().value();
        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.put("total", total);
        body.put("took", response.took());
        ArrayNode hits = body.putArray("hits");
        for (Hit<ObjectNode> hit : shown) hits.add(withLocation(hit));
        if (more) {
            body.put("next", new SearchCursor(nextPitId, shown.get(shown.size() - 1).sort(), fingerprint).encode());
        } else {
            pages.close(nextPitId);
        }
        ctx.json(body);
        return total;
    }

    /** The document as stored, plus where: {@code hits[i].process.args} keeps working next to {@code hits[i]._id}. */
    static ObjectNode withLocation(Hit<ObjectNode> hit) {
        ObjectNode doc = hit.source() == null ? EventCodec.mapper().createObjectNode() : hit.source();
        doc.put("_index", hit.index());
        doc.put("_id", hit.id());
        return doc;
    }
}
