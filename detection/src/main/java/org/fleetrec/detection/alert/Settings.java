package org.fleetrec.detection.alert;

import java.util.Map;

/** Reads numbers from the environment with messages that name the variable, so a typo fails at start, clearly. */
final class Settings {
    private Settings() {
    }

    static long number(Map<String, String> env, String name, long fallback, long min, long max) {
        String text = env.get(name);
        if (text == null || text.isBlank()) return fallback;
        return number(text.strip(), name, min, max);
    }

    static long number(String text, String name, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not " + text);
        }
        if (value < min || value > max) throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", not " + value);
        return value;
    }

    static String text(Map<String, String> env, String name) {
        String text = env.get(name);
        return text == null || text.isBlank() ? null : text.strip();
    }
}
