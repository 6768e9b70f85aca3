package org.fleetrec.web;

import io.javalin.http.BadRequestResponse;

/** A whole-number request parameter within bounds; anything else is a 400 that names the range. */
final class WholeNumber {
    private WholeNumber() {
    }

    /** {@code value} as given (null or blank: {@code defaultValue}), between {@code min} and {@code max}. */
    static int parse(String name, String value, int defaultValue, int min, int max) {
        if (value == null || value.isBlank()) return defaultValue;
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) return number;
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw new BadRequestResponse(name + " must be a whole number from " + min + " to " + max);
    }
}
