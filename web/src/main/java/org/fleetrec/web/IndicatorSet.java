package org.fleetrec.web;

import io.javalin.http.ContentTooLargeResponse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The indicators read from one request: checked, normalised, each value once (the first source
 * that named it wins), at most {@link #MAX_INDICATORS}; and what could not be used, with why.
 */
final class IndicatorSet {
    static final int MAX_INDICATORS = 50_000;
    static final int MAX_UNSUPPORTED_LISTED = 1000;
    private static final int MAX_REPORTED_TEXT = 300;

    private record Key(IndicatorType type, String value) {
    }

    private final Map<Key, Indicator> indicators = new LinkedHashMap<>();
    private final List<String> unsupported = new ArrayList<>();
    private int unsupportedCount;

    /** Adds {@code raw} as a {@code type}, or reports it under {@code where} when it is not one. */
    void add(IndicatorType type, String raw, String stixId, String name, String where) {
        var value = type.normalize(raw);
        if (value.isEmpty()) {
            unsupported(where + ": not a valid " + type.id() + ": " + raw);
            return;
        }
        indicators.putIfAbsent(new Key(type, value.get()), new Indicator(type, value.get(), stixId, name));
        if (indicators.size() > MAX_INDICATORS) {
            throw new ContentTooLargeResponse("more than " + MAX_INDICATORS + " indicators; split them into several sweeps");
        }
    }

    void unsupported(String what) {
        unsupportedCount++;
        if (unsupported.size() < MAX_UNSUPPORTED_LISTED) {
            unsupported.add(what.length() > MAX_REPORTED_TEXT ? what.substring(0, MAX_REPORTED_TEXT) + "…" : what);
        }
    }

    List<Indicator> indicators() {
        return List.copyOf(indicators.values());
    }

    List<String> unsupported() {
        return List.copyOf(unsupported);
    }

    int unsupportedCount() {
        return unsupportedCount;
    }
}
