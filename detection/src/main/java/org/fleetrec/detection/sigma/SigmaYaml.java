package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one rule file into plain maps, lists and strings, bounded in every direction a hostile
 * file could push: size, nesting, node count. Scalars keep the text as written ({@code 0x17},
 * {@code 0777}, {@code yes} stay strings, not numbers a YAML 1.1 reader would make of them), a
 * plain empty value or {@code null}/{@code ~} is {@link #NULL}. Aliases are refused outright:
 * they are how YAML bombs multiply, and a Sigma rule never needs them.
 */
final class SigmaYaml {
    /** The YAML null, distinct from the empty string {@code ''}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final int MAX_CHARS = 1 << 20;
    static final int MAX_DEPTH = 32;
    static final int MAX_NODES = 200_000;

    private static final YAMLFactory FACTORY = factory();

    private SigmaYaml() {
    }

    private static YAMLFactory factory() {
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit(MAX_CHARS);
        loader.setMaxAliasesForCollections(0);
        loader.setNestingDepthLimit(MAX_DEPTH + 2);
        loader.setAllowDuplicateKeys(false);
        return YAMLFactory.builder()
                .loaderOptions(loader)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH + 2).maxStringLength(MAX_CHARS).build())
                .build();
    }

    /** The single document of {@code text}; a second document is refused (rule collections are not supported). */
    static Object read(String text) throws RuleException {
        if (text.length() > MAX_CHARS) throw RuleException.invalid("rule file larger than " + MAX_CHARS + " characters");
        try (YAMLParser parser = (YAMLParser) FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) throw RuleException.invalid("empty rule file");
            int[] nodes = {0};
            Object root = value(parser, 0, nodes);
            if (parser.nextToken() != null) {
                throw RuleException.unsupported("several YAML documents in one file (a rule collection or correlation set)");
            }
            return root;
        } catch (IOException | RuntimeException e) {
            // SnakeYAML reports limits and syntax errors as runtime exceptions, Jackson as IOExceptions.
            throw RuleException.invalid("malformed YAML: " + firstLine(e.getMessage()));
        }
    }

    private static Object value(YAMLParser p, int depth, int[] nodes) throws IOException, RuleException {
        if (depth > MAX_DEPTH) throw RuleException.invalid("YAML nested deeper than " + MAX_DEPTH + " levels");
        if (++nodes[0] > MAX_NODES) throw RuleException.invalid("YAML has more than " + MAX_NODES + " values");
        if (p.isCurrentAlias()) throw RuleException.invalid("YAML alias '*" + p.getText() + "' (aliases are not allowed in rules)");
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    if (map.put(key, value(p, depth + 1, nodes)) != null) {
                        throw RuleException.invalid("duplicate key '" + key + "'");
                    }
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) list.add(value(p, depth + 1, nodes));
                return list;
            }
            case VALUE_NULL -> {
                return NULL;
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                return p.getText();
            }
            default -> throw RuleException.invalid("unexpected YAML token " + t);
        }
    }

    private static String firstLine(String message) {
        if (message == null) return "(no detail)";
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
