package org.fleetrec.web;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * CSV rows as RFC 4180 has them (CRLF line ends, a field with a comma, quote or line break is quoted
 * and its quotes doubled), made safe to open in a spreadsheet: responders do, and a command line is
 * attacker-controlled. A text cell starting with {@code = + - @}, tab or carriage return would be
 * read as a formula, so it gets a leading single quote. Numbers and booleans are written as they
 * are: they cannot hold a formula.
 */
final class CsvCells {
    private CsvCells() {
    }

    static String row(List<String> cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) line.append(',');
            line.append(quoted(cells.get(i)));
        }
        return line.append("\r\n").toString();
    }

    /** The cell text of a value from a document: scalars as themselves, arrays and objects as JSON. */
    static String cell(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) return "";
        if (value.isNumber() || value.isBoolean()) return value.asText();
        if (value.isTextual()) return defused(value.textValue());
        return defused(value.toString());
    }

    static String defused(String text) {
        if (text.isEmpty()) return text;
        char first = text.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + text : text;
    }

    static String quoted(String text) {
        boolean plain = true;
        for (int i = 0; i < text.length() && plain; i++) {
            char c = text.charAt(i);
            plain = c != ',' && c != '"' && c != '\r' && c != '\n';
        }
        return plain ? text : '"' + text.replace("\"", "\"\"") + '"';
    }
}
