package org.fleetrec.detection.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.fleetrec.model.EventDocument;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Documents built from a rule's own conditions, to put the rule's query and its compiled form
 * side by side on events that come close to it: for each way the rule can be satisfied (one value
 * of each OR), a document holding those values, and variants of it with the letters' case flipped,
 * text added before, and text added after each value. Whether a document then matches is for the
 * engine and the query to say alike; nothing here decides it. Values with no sure sample (regular
 * expressions) are left out, as are values the index's field types would refuse.
 */
public final class RuleWitnesses {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Ways of satisfying one rule at most; rules with long value lists take a spread of them. */
    private static final int MAX_WAYS = 12;

    private RuleWitnesses() {
    }

    /** What a document may be made to look like for the rule; each a partial document, without time or host. */
    public static List<EventDocument> of(CompiledRule rule) {
        List<Map<String, Object>> ways = ways(Expr.and(rule.scope().filter(), rule.detection()));
        List<EventDocument> out = new ArrayList<>();
        for (Map<String, Object> way : ways) {
            out.add(document(way, UnaryOperator.identity()));
            out.add(document(way, RuleWitnesses::flipCase));
            out.add(document(way, s -> "Zq" + s));
            out.add(document(way, s -> s + "qZ"));
        }
        return out;
    }

    /** Assignments of field paths to values (String, Long, Boolean; a List for array positions). */
    private static List<Map<String, Object>> ways(Expr e) {
        if (e instanceof Expr.And a) {
            List<List<Map<String, Object>>> parts = new ArrayList<>();
            int n = 1;
            for (Expr x : a.all()) {
                List<Map<String, Object>> p = ways(x);
                parts.add(p);
                n = Math.max(n, p.size());
            }
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = 0; i < Math.min(n, MAX_WAYS); i++) {
                Map<String, Object> merged = new LinkedHashMap<>();
                for (List<Map<String, Object>> p : parts) if (!p.isEmpty()) merge(merged, p.get(i % p.size()));
                out.add(merged);
            }
            return out;
        }
        if (e instanceof Expr.Or o) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Expr x : o.any()) out.addAll(ways(x));
            return spread(out);
        }
        if (e instanceof Expr.Test t) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ValueTest v : t.anyOf()) {
                Map<String, Object> way = assign(t.field(), v);
                if (way != null) out.add(way);
            }
            return spread(out);
        }
        if (e instanceof Expr.Present p) {
            Map<String, Object> way = assign(p.field(), null);
            return way == null ? List.of() : List.of(way);
        }
        // A not is satisfied by leaving its fields out; constants and field comparisons need nothing.
        return List.of(new LinkedHashMap<>());
    }

    private static List<Map<String, Object>> spread(List<Map<String, Object>> ways) {
        if (ways.size() <= MAX_WAYS) return ways;
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < MAX_WAYS; i++) out.add(ways.get(i * ways.size() / MAX_WAYS));
        return out;
    }

    /**
     * Values of one array add up; two texts for one field are joined, in the rule's order, so that
     * "contains a" and "contains b" (or "contains a" and "ends with b") can both hold; elsewhere the
     * later value wins. The document may then not match: fine.
     */
    private static void merge(Map<String, Object> into, Map<String, Object> way) {
        way.forEach((field, value) -> {
            Object old = into.get(field);
            if (old instanceof Element a && value instanceof Element b) into.put(field, a.with(b));
            else if (old instanceof String a && value instanceof String b && !a.equals(b) && !isShape(field)
                    && EsFieldTypes.of(field) == EsFieldTypes.Type.KEYWORD) into.put(field, a + " " + b);
            else into.put(field, value);
        });
    }

    /** A value at one position of an array field, the other positions filled with a plain word. */
    private record Element(Map<Integer, String> at) {
        Element with(Element other) {
            Map<Integer, String> both = new LinkedHashMap<>(at);
            other.at.forEach(both::putIfAbsent);
            return new Element(both);
        }
    }

    /** {@code v} null: any value that makes the field present. */
    private static Map<String, Object> assign(EventField f, ValueTest v) {
        Map<String, Object> way = new LinkedHashMap<>();
        if (f instanceof EventField.Path p) {
            Object value = value(p.name(), v);
            if (value == null) return null;
            way.put(p.name(), value);
        } else if (f instanceof EventField.Element el) {
            String text = v == null ? "x" : text(v);
            if (text == null) return null;
            way.put(el.array().name(), new Element(Map.of(el.index(), text)));
        } else if (f == DerivedFields.USER) {
            String text = v == null ? "x" : text(v);
            if (text == null) return null;
            int slash = text.indexOf('\\');
            if (slash >= 0) way.put("user.domain", text.substring(0, slash));
            way.put("user.name", slash >= 0 ? text.substring(slash + 1) : text);
        } else if (f == DerivedFields.COMM) {
            String text = v == null ? "x" : text(v);
            if (text == null) return null;
            way.put("process.args", new Element(Map.of(0, "/usr/bin/" + text)));
        } else {
            return null;
        }
        return way;
    }

    /** A value the field's index type takes, or null. */
    private static Object value(String field, ValueTest v) {
        EsFieldTypes.Type type = EsFieldTypes.of(field);
        if (type == EsFieldTypes.Type.NOT_INDEXED) return null;
        if (v == null) {
            return switch (type) {
                case LONG -> 1L;
                case BOOLEAN -> Boolean.TRUE;
                case IP -> "192.0.2.1";
                default -> "x";
            };
        }
        if (v instanceof ValueTest.Compare c) {
            BigDecimal n = c.value();
            BigDecimal x = switch (c.op()) {
                case "gt" -> n.add(BigDecimal.ONE);
                case "lt" -> n.subtract(BigDecimal.ONE);
                default -> n;
            };
            return type == EsFieldTypes.Type.LONG ? (Object) x.longValue() : x.toPlainString();
        }
        String text = text(v);
        if (text == null) return null;
        return switch (type) {
            case LONG -> text.matches("-?\\d{1,18}") ? (Object) Long.parseLong(text) : null;
            case BOOLEAN -> text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false") ? text.toLowerCase(Locale.ROOT) : null;
            case IP -> ip(text);
            default -> text;
        };
    }

    /** One text the test accepts; wildcards become a plain word. */
    private static String text(ValueTest v) {
        if (v instanceof ValueTest.Text t) {
            StringBuilder s = new StringBuilder();
            for (Object token : t.glob().tokens()) {
                if (token == Glob.Wild.STAR) s.append("Wx");
                else if (token == Glob.Wild.ONE) s.append('w');
                else s.append((String) token);
            }
            return s.toString();
        }
        if (v instanceof ValueTest.Cidr c) {
            try {
                return InetAddress.getByAddress(c.network()).getHostAddress();
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    private static String ip(String text) {
        if (Cidr.literal(text) != null) return text;
        // a dotted prefix the translator reads as a network: its first address
        if (text.matches("(\\d{1,3}\\.){1,3}Wx")) {
            String[] octets = text.substring(0, text.length() - 2).split("\\.");
            StringBuilder a = new StringBuilder();
            for (int i = 0; i < 4; i++) a.append(i == 0 ? "" : ".").append(i < octets.length ? octets[i] : "1");
            return Cidr.literal(a.toString()) != null ? a.toString() : null;
        }
        return null;
    }

    private static EventDocument document(Map<String, Object> way, UnaryOperator<String> change) {
        EventDocument doc = EventDocument.create();
        way.forEach((field, value) -> {
            if (value instanceof Long n) doc.put(field, n);
            else if (value instanceof Boolean b) doc.put(field, b);
            else if (value instanceof Element el) doc.put(field, array(el, change));
            else if (isShape(field)) doc.put(field, (String) value);
            else if (EsFieldTypes.of(field) == EsFieldTypes.Type.KEYWORD) doc.put(field, change.apply((String) value));
            else doc.put(field, (String) value);
        });
        return doc;
    }

    /** The fields that say what kind of document it is stay as the filter wants them: only rule values vary. */
    private static boolean isShape(String field) {
        return field.equals("event.dataset") || field.equals("event.action") || field.equals("event.module")
                || field.equals("host.os.type") || field.equals("event.outcome") || field.equals("event.provider");
    }

    private static JsonNode array(Element el, UnaryOperator<String> change) {
        int size = el.at().keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        ArrayNode a = JSON.arrayNode();
        for (int i = 0; i < size; i++) {
            String v = el.at().get(i);
            a.add(v == null ? "arg" : change.apply(v));
        }
        return a;
    }

    private static String flipCase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            out.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return out.toString();
    }
}
