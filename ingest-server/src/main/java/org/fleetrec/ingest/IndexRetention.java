package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.model.IndexNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletes daily event, dead-letter and alert indices older than the configured number of days, whole
 * indices at a time (which is why indices are daily). An index goes when both the day in its name
 * and the day it was created are past the limit: imported evidence lands in the indices of the days
 * it happened, years ago maybe, and is kept for the retention period from its import (so are alerts
 * a hunt through that history raised). Alerts have a limit of their own, longer by default: they are
 * the record of what was found, and stay small. Every ingest server may run it: deleting an index
 * another server deleted first is harmless. Only names of our daily layout are touched.
 */
final class IndexRetention {
    private static final Logger log = LoggerFactory.getLogger(IndexRetention.class);
    private static final String DAY_PATTERN = "(\\d{4}\\.\\d{2}\\.\\d{2})$";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd");

    /** Daily indices of one kind: the wildcard that lists them, the exact names they have, and how long they stay. */
    private record Kind(String name, List<String> wildcards, Pattern daily, int keepDays) {
    }

    private final ElasticsearchClient client;
    private final List<Kind> kinds;

    /** {@code eventDays} for events and dead letters, {@code alertDays} for alerts; 0 keeps that kind forever. */
    IndexRetention(ElasticsearchClient client, int eventDays, int alertDays) {
        this.client = client;
        this.kinds = List.of(
                new Kind("events", List.of(IndexNames.ALL_EVENTS, IndexNames.DEADLETTER_PREFIX + "*"),
                        Pattern.compile("^(?:" + Pattern.quote(IndexNames.EVENTS_PREFIX) + "[a-z0-9_]+-|"
                                + Pattern.quote(IndexNames.DEADLETTER_PREFIX) + ")" + DAY_PATTERN), eventDays),
                new Kind("alerts", List.of(IndexNames.ALL_ALERTS),
                        Pattern.compile("^" + Pattern.quote(IndexNames.ALERTS_PREFIX) + DAY_PATTERN), alertDays));
    }

    /** Deletes what is due on {@code today}; returns the names deleted. */
    List<String> run(LocalDate today) throws IOException {
        List<String> deleted = new ArrayList<>();
        for (Kind kind : kinds) deleted.addAll(run(kind, today));
        return deleted;
    }

    private List<String> run(Kind kind, LocalDate today) throws IOException {
        List<String> due = new ArrayList<>();
        if (kind.keepDays() <= 0) return due;
        LocalDate oldestKept = today.minusDays(kind.keepDays() - 1L);
        var indices = client.indices().get(g -> g.index(kind.wildcards()).allowNoIndices(true).ignoreUnavailable(true)).result();
        for (var index : indices.entrySet()) {
            Matcher m = kind.daily().matcher(index.getKey());
            if (!m.matches()) continue;
            try {
                if (LocalDate.parse(m.group(1), DAY).isBefore(oldestKept)
                        && created(index.getValue()).map(day -> day.isBefore(oldestKept)).orElse(true)) {
                    due.add(index.getKey());
                }
            } catch (DateTimeParseException e) {
                // a name that only looks daily: not ours to delete
            }
        }
        // In slices, so a long history never makes one request line too long.
        for (int from = 0; from < due.size(); from += 50) {
            List<String> slice = due.subList(from, Math.min(due.size(), from + 50));
            client.indices().delete(d -> d.index(slice).ignoreUnavailable(true));
        }
        if (!due.isEmpty()) log.info("retention of {} ({} days) deleted {} indices: {}", kind.name(), kind.keepDays(), due.size(), due);
        return due;
    }

    private static java.util.Optional<LocalDate> created(co.elastic.clients.elasticsearch.indices.IndexState state) {
        var settings = state.settings();
        // The creation date sits under "index" in what the cluster answers; flat settings hold it at the top.
        var index = settings == null ? null : settings.index() != null ? settings.index() : settings;
        Long millis = index == null ? null : index.creationDate();
        if (millis == null) return java.util.Optional.empty();
        return java.util.Optional.of(java.time.Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC).toLocalDate());
    }

    List<String> run() throws IOException {
        return run(LocalDate.now(ZoneOffset.UTC));
    }
}
