package org.fleetrec.agent.sysmon.evtx;

import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Attribute;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.CData;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.CharRef;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Element;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.EntityRef;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Pi;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Substitution;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.TemplateInstance;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Text;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Value;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a decoded record as the XML Windows' EvtRender gives: single-quoted attributes, no
 * whitespace between elements, {@code <X/>} for an element without content. Substitutions are
 * filled from their template instance's values: an optional substitution whose value is NULL
 * drops its attribute (or its element, when that is all the element holds), and an element
 * holding an array value is repeated once per item, as the format documentation describes.
 * A template may use one value many times and values may nest binary XML, so the output and
 * the work are capped per record.
 */
final class XmlRenderer {
    /** No real event comes near this; a record rendering larger is a decompression bomb. */
    static final int MAX_CHARS = 4 << 20;
    static final int MAX_STEPS = 1_000_000;
    /** Elements, template instances and nested binary XML values together. */
    static final int MAX_DEPTH = 128;
    private static final Set<String> PREDEFINED_ENTITIES = Set.of("lt", "gt", "amp", "quot", "apos");

    private final ChunkBytes chunk;
    private final BinXmlParser parser;
    private final StringBuilder out = new StringBuilder(4096);
    private final Map<Value, List<String>> arrays = new HashMap<>();
    private int steps;

    private XmlRenderer(ChunkBytes chunk, BinXmlParser parser) {
        this.chunk = chunk;
        this.parser = parser;
    }

    static String render(ChunkBytes chunk, BinXmlParser parser, List<BinXmlNode> document) {
        XmlRenderer renderer = new XmlRenderer(chunk, parser);
        renderer.nodes(document, List.of(), 0);
        return renderer.out.toString();
    }

    private void nodes(List<BinXmlNode> nodes, List<Value> values, int depth) {
        for (BinXmlNode node : nodes) node(node, values, -1, depth);
    }

    private void node(BinXmlNode node, List<Value> values, int item, int depth) {
        if (++steps > MAX_STEPS) throw new EvtxFormatException("record takes more than " + MAX_STEPS + " steps to render");
        if (depth > MAX_DEPTH) throw new EvtxFormatException("record nests deeper than " + MAX_DEPTH + " levels");
        if (node instanceof Element e) {
            element(e, values, depth + 1);
        } else if (node instanceof Text t) {
            XmlText.appendText(out, t.text());
        } else if (node instanceof Substitution s) {
            substitution(s, values, item, depth);
        } else if (node instanceof CharRef r) {
            XmlText.appendCharRef(out, r.code());
        } else if (node instanceof EntityRef r) {
            if (PREDEFINED_ENTITIES.contains(r.name())) out.append('&').append(r.name()).append(';');
            else XmlText.appendText(out, "&" + r.name() + ";");
        } else if (node instanceof CData c) {
            XmlText.appendCData(out, c.text());
        } else if (node instanceof Pi p) {
            XmlText.appendPi(out, p.target(), p.data());
        } else if (node instanceof TemplateInstance t) {
            nodes(t.template().nodes(), t.values(), depth + 1);
        }
        if (out.length() > MAX_CHARS) throw new EvtxFormatException("record renders to more than " + MAX_CHARS + " characters");
    }

    private void element(Element e, List<Value> values, int depth) {
        if (dropped(e, values)) return;
        int copies = arrayItems(e, values);
        if (copies < 0) {
            elementOnce(e, values, -1, depth);
        } else {
            for (int item = 0; item < Math.max(copies, 1); item++) elementOnce(e, values, item, depth);
        }
    }

    private void elementOnce(Element e, List<Value> values, int item, int depth) {
        out.append('<').append(e.name());
        for (Attribute a : e.attributes()) attribute(a, values, item);
        if (e.content().isEmpty()) {
            out.append("/>");
            return;
        }
        out.append('>');
        for (BinXmlNode child : e.content()) node(child, values, item, depth);
        out.append("</").append(e.name()).append('>');
    }

    private void attribute(Attribute a, List<Value> values, int item) {
        if (!a.value().isEmpty() && allNullOptional(a.value(), values)) return;
        out.append(' ').append(a.name()).append("='");
        for (BinXmlNode part : a.value()) {
            if (part instanceof Text t) {
                XmlText.appendAttribute(out, t.text());
            } else if (part instanceof Substitution s) {
                Value v = value(values, s);
                if (v.baseType() == Value.BINXML) throw new EvtxFormatException("binary XML value in attribute " + a.name());
                XmlText.appendAttribute(out, text(v, item));
            } else if (part instanceof CharRef r) {
                XmlText.appendCharRef(out, r.code());
            } else if (part instanceof EntityRef r) {
                if (PREDEFINED_ENTITIES.contains(r.name())) out.append('&').append(r.name()).append(';');
                else XmlText.appendAttribute(out, "&" + r.name() + ";");
            }
        }
        out.append('\'');
    }

    private void substitution(Substitution s, List<Value> values, int item, int depth) {
        Value v = value(values, s);
        if (v.baseType() == Value.BINXML) {
            if (v.isArray()) throw new EvtxFormatException("array of binary XML values");
            nodes(parser.value(v), List.of(), depth + 1);
        } else {
            XmlText.appendText(out, text(v, item));
        }
    }

    /** Item {@code item} of an array value (the whole value when -1); arrays are split once per record. */
    private String text(Value v, int item) {
        if (!v.isArray() || item < 0) return ValueText.render(chunk, v);
        List<String> items = arrays.computeIfAbsent(v, array -> ValueText.items(chunk, array));
        return item < items.size() ? items.get(item) : "";
    }

    private static Value value(List<Value> values, Substitution s) {
        if (s.index() >= values.size()) {
            throw new EvtxFormatException("substitution " + s.index() + " but the template instance has " + values.size() + " values");
        }
        return values.get(s.index());
    }

    /** An element whose content is nothing but optional substitutions without a value is not created. */
    private static boolean dropped(Element e, List<Value> values) {
        return !e.content().isEmpty() && allNullOptional(e.content(), values);
    }

    private static boolean allNullOptional(List<BinXmlNode> parts, List<Value> values) {
        for (BinXmlNode part : parts) {
            if (!(part instanceof Substitution s) || !s.optional() || !value(values, s).isNull()) return false;
        }
        return true;
    }

    /** Items of the first array value the element itself (content or attributes) uses; -1 when it uses none. */
    private int arrayItems(Element e, List<Value> values) {
        for (BinXmlNode part : e.content()) {
            int n = arrayCount(part, values);
            if (n >= 0) return n;
        }
        for (Attribute a : e.attributes()) {
            for (BinXmlNode part : a.value()) {
                int n = arrayCount(part, values);
                if (n >= 0) return n;
            }
        }
        return -1;
    }

    private int arrayCount(BinXmlNode part, List<Value> values) {
        if (!(part instanceof Substitution s)) return -1;
        Value v = value(values, s);
        return v.isArray() ? arrays.computeIfAbsent(v, array -> ValueText.items(chunk, array)).size() : -1;
    }
}
