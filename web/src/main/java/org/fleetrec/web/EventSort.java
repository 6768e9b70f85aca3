package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.mapping.FieldType;
import co.elastic.clients.elasticsearch.core.FieldCapsResponse;
import io.javalin.http.BadRequestResponse;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code sort=<field>:asc|desc} of a search or export, {@code @timestamp:desc} by default. Only
 * fields with doc values of a keyword, date, numeric or ip type can order results; every sort ends
 * with {@code _shard_doc} so pages over a point in time never repeat or skip a tie.
 */
record EventSort(String field, SortOrder order, FieldType type) {
    static final EventSort NEWEST_FIRST = new EventSort("@timestamp", SortOrder.Desc, FieldType.Date);

    static final Pattern FIELD_NAME = Pattern.compile("[@A-Za-z_][A-Za-z0-9_.@-]{0,199}");
    private static final Set<String> SORTABLE_TYPES = Set.of("keyword", "constant_keyword", "date", "date_nanos", "long",
            "integer", "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long", "ip", "boolean");

    /** Checks the field against the mappings of {@code indices}; a field no index maps cannot sort. */
    static EventSort parse(String value, ElasticsearchClient client, List<String> indices) throws IOException {
        if (value == null || value.isBlank()) return NEWEST_FIRST;
        String text = value.trim();
        int colon = text.lastIndexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String direction = colon < 0 ? "desc" : text.substring(colon + 1);
        SortOrder order = switch (direction) {
            case "asc" -> SortOrder.Asc;
            case "desc" -> SortOrder.Desc;
            default -> throw new BadRequestResponse("sort must look like <field>:asc or <field>:desc");
        };
        if (!FIELD_NAME.matcher(field).matches()) throw new BadRequestResponse("sort field is not a field name: " + field);
        if (field.equals(NEWEST_FIRST.field())) return new EventSort(field, order, FieldType.Date);
        return new EventSort(field, order, sortableType(client, indices, field));
    }

    private static FieldType sortableType(ElasticsearchClient client, List<String> indices, String field) throws IOException {
        FieldCapsResponse caps = client.fieldCaps(f -> f.index(indices).fields(field).ignoreUnavailable(true).allowNoIndices(true));
        var byType = caps.fields().get(field);
        if (byType == null || byType.isEmpty()) throw new BadRequestResponse("cannot sort by " + field + ": no event index has that field");
        if (byType.size() > 1) {
            throw new BadRequestResponse("cannot sort by " + field + ": it is mapped as " + String.join(" and ", byType.keySet()));
        }
        var only = byType.entrySet().iterator().next();
        if (!SORTABLE_TYPES.contains(only.getKey()) || !only.getValue().aggregatable()) {
            throw new BadRequestResponse("cannot sort by " + field + ": a " + only.getKey()
                    + " field does not order results; sort by keyword, date, numeric or ip fields");
        }
        return Arrays.stream(FieldType.values()).filter(t -> t.jsonValue().equals(only.getKey())).findFirst()
                .orElse(FieldType.Keyword);
    }

    List<SortOptions> options() {
        return List.of(
                SortOptions.of(o -> o.field(f -> f.field(field).order(order).unmappedType(type))),
                SortOptions.of(o -> o.field(f -> f.field("_shard_doc").order(SortOrder.Asc))));
    }

    @Override
    public String toString() {
        return field + ":" + (order == SortOrder.Asc ? "asc" : "desc");
    }
}
