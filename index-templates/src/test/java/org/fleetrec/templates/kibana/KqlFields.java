package org.fleetrec.templates.kibana;

import java.util.ArrayList;
import java.util.List;

/**
 * The field names a KQL (or simple Lucene) query tests: every unquoted word directly followed by
 * {@code :}, {@code <}, {@code >}, {@code <=} or {@code >=}. Quoted values and backslash escapes
 * ({@code C\:\\Windows}) are values, never fields. Nested queries ({@code field:{ sub: x }}) are
 * refused rather than half read.
 */
final class KqlFields {
    private static final String DELIMITERS = "():<>{}\"";

    private KqlFields() {
    }

    static List<String> of(String query) {
        List<String> fields = new ArrayList<>();
        String word = null; // the last token, when it was an unquoted word
        int i = 0;
        int n = query.length();
        while (i < n) {
            char c = query.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                i = skipQuoted(query, i);
                word = null;
            } else if (c == ':' || c == '<' || c == '>') {
                if (word == null) throw new IllegalArgumentException("an operator without a field at " + i + " in: " + query);
                fields.add(word);
                word = null;
                i++;
                if (i < n && query.charAt(i) == '=') i++;
                int next = skipSpace(query, i);
                if (next < n && query.charAt(next) == '{') {
                    throw new IllegalArgumentException("nested field queries are not checked: " + query);
                }
            } else if (DELIMITERS.indexOf(c) >= 0) {
                word = null;
                i++;
            } else {
                StringBuilder text = new StringBuilder();
                while (i < n && !Character.isWhitespace(query.charAt(i)) && DELIMITERS.indexOf(query.charAt(i)) < 0) {
                    if (query.charAt(i) == '\\' && i + 1 < n) i++;
                    text.append(query.charAt(i++));
                }
                word = text.toString();
            }
        }
        return fields;
    }

    private static int skipQuoted(String query, int start) {
        int i = start + 1;
        while (i < query.length() && query.charAt(i) != '"') {
            if (query.charAt(i) == '\\') i++;
            i++;
        }
        if (i >= query.length()) throw new IllegalArgumentException("an unterminated quote in: " + query);
        return i + 1;
    }

    private static int skipSpace(String query, int i) {
        while (i < query.length() && Character.isWhitespace(query.charAt(i))) i++;
        return i;
    }
}
