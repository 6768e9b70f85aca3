package org.fleetrec.agent.sysmon.evtx;

import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Attribute;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.CData;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.CharRef;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Element;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.EntityRef;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Pi;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Substitution;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Template;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.TemplateInstance;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Text;
import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the binary XML tokens of one chunk into {@link BinXmlNode} trees. Names and template
 * definitions are stored once per chunk and referred to by offset, so both are cached here; a
 * parser lives exactly as long as its chunk.
 */
final class BinXmlParser {
    /** Element nesting inside one fragment; real events nest fewer than ten levels. */
    static final int MAX_DEPTH = 64;
    /** Templates whose definitions contain template instances, one inside the other. */
    static final int MAX_TEMPLATE_CHAIN = 8;
    /** Longest element, attribute or entity name accepted; Windows names are a few dozen characters. */
    static final int MAX_NAME_CHARS = 1024;
    /** The chunk header (512 bytes) holds no names or templates; anything pointing there is corrupt. */
    private static final int FIRST_DATA_OFFSET = 512;
    private static final int TEMPLATE_HEADER = 24;

    private static final int EOF = 0x00;
    private static final int OPEN_START = 0x01;
    private static final int CLOSE_START = 0x02;
    private static final int CLOSE_EMPTY = 0x03;
    private static final int END_ELEMENT = 0x04;
    private static final int VALUE = 0x05;
    private static final int ATTRIBUTE = 0x06;
    private static final int CDATA = 0x07;
    private static final int CHAR_REF = 0x08;
    private static final int ENTITY_REF = 0x09;
    private static final int PI_TARGET = 0x0a;
    private static final int PI_DATA = 0x0b;
    private static final int TEMPLATE_INSTANCE = 0x0c;
    private static final int NORMAL_SUBSTITUTION = 0x0d;
    private static final int OPTIONAL_SUBSTITUTION = 0x0e;
    private static final int FRAGMENT_HEADER = 0x0f;
    /** "More data follows" / "has attributes" flag on some tokens. */
    private static final int MORE = 0x40;

    private final ChunkBytes chunk;
    private final Map<Integer, String> names = new HashMap<>();
    private final Map<Integer, Template> templates = new HashMap<>();
    private final Set<Integer> templatesInProgress = new HashSet<>();

    BinXmlParser(ChunkBytes chunk) {
        this.chunk = chunk;
    }

    /** A record's event: one fragment holding an element or a template instance. */
    List<BinXmlNode> document(int start, int end) {
        List<BinXmlNode> nodes = fragment(new Cursor(chunk, start, end), false);
        if (nodes.isEmpty()) throw new EvtxFormatException("record holds no element");
        return nodes;
    }

    /**
     * The value of a substitution of type binary XML. An element start inside such a value has no
     * dependency identifier (per the format documentation), which {@link #element} tells apart itself.
     */
    List<BinXmlNode> value(Value value) {
        return fragment(new Cursor(chunk, value.offset(), value.offset() + value.size()), true);
    }

    private List<BinXmlNode> fragment(Cursor c, boolean inValue) {
        List<BinXmlNode> nodes = new ArrayList<>(1);
        while (c.more()) {
            int token = c.peek();
            switch (token) {
                case EOF -> {
                    c.skip(1);
                    return nodes;
                }
                case FRAGMENT_HEADER -> c.skip(4);
                case TEMPLATE_INSTANCE -> nodes.add(templateInstance(c));
                case OPEN_START, OPEN_START | MORE -> nodes.add(element(c, 1, inValue));
                case PI_TARGET -> nodes.add(pi(c));
                default -> throw unexpected(token, c.pos, "a fragment");
            }
        }
        return nodes;
    }

    private Element element(Cursor c, int depth, boolean inValue) {
        if (depth > MAX_DEPTH) throw new EvtxFormatException("elements nested deeper than " + MAX_DEPTH + " levels");
        int start = c.pos;
        int token = c.u8();
        String name = elementName(c, start, inValue);
        if ((token & MORE) != 0) c.skip(4); // attribute list size: the attribute tokens themselves tell where it ends
        List<Attribute> attributes = new ArrayList<>();
        while (c.more() && (c.peek() & ~MORE) == ATTRIBUTE) attributes.add(attribute(c));
        int close = c.u8();
        if (close == CLOSE_EMPTY) return new Element(name, attributes, List.of());
        if (close != CLOSE_START) throw unexpected(close, c.pos - 1, "element <" + name + ">");
        List<BinXmlNode> content = new ArrayList<>();
        while (true) {
            int at = c.pos;
            int next = c.peek();
            switch (next) {
                case END_ELEMENT -> {
                    c.skip(1);
                    return new Element(name, attributes, content);
                }
                case OPEN_START, OPEN_START | MORE -> content.add(element(c, depth + 1, inValue));
                case VALUE, VALUE | MORE, CHAR_REF, CHAR_REF | MORE, ENTITY_REF, ENTITY_REF | MORE,
                        NORMAL_SUBSTITUTION, OPTIONAL_SUBSTITUTION -> content.add(valuePart(c));
                case CDATA, CDATA | MORE -> {
                    c.skip(1);
                    content.add(new CData(c.utf16(c.u16())));
                }
                case PI_TARGET -> content.add(pi(c));
                case TEMPLATE_INSTANCE -> content.add(templateInstance(c));
                default -> throw unexpected(next, at, "element <" + name + ">");
            }
        }
    }

    /**
     * Element start: token, [dependency identifier], data size, name offset. The identifier is
     * missing inside binary XML values; the layout whose name offset points at a readable name wins.
     */
    private String elementName(Cursor c, int start, boolean inValue) {
        int withId = start + 1 + 2 + 4;
        int withoutId = start + 1 + 4;
        int first = inValue ? withoutId : withId;
        int second = inValue ? withId : withoutId;
        if (plausibleName(c, first)) return nameAt(c, first);
        if (plausibleName(c, second)) return nameAt(c, second);
        throw new EvtxFormatException("element at 0x" + Integer.toHexString(start) + " names no readable name");
    }

    private boolean plausibleName(Cursor c, int nameField) {
        if (nameField + 4 > c.limit) return false;
        long offset = chunk.u32(nameField);
        if (offset < FIRST_DATA_OFFSET || offset > chunk.length() - 10) return false;
        if (offset == nameField + 4) return inlineNameFits(c, (int) offset);
        try {
            name((int) offset);
            return true;
        } catch (EvtxFormatException e) {
            return false;
        }
    }

    private boolean inlineNameFits(Cursor c, int offset) {
        if (offset + 8 > c.limit) return false;
        int chars = chunk.u16(offset + 6);
        return chars <= MAX_NAME_CHARS && offset + 8 + 2L * chars + 2 <= c.limit && chunk.u16(offset + 8 + 2L * chars) == 0;
    }

    /** Reads the name offset at {@code nameField}, moving past a name stored right there. */
    private String nameAt(Cursor c, int nameField) {
        c.skip(nameField - c.pos);
        long offset = c.u32();
        if (offset < FIRST_DATA_OFFSET || offset >= chunk.length()) {
            throw new EvtxFormatException("name offset 0x" + Long.toHexString(offset) + " outside the chunk's data");
        }
        String name = name((int) offset);
        if (offset == c.pos) c.skip(8 + 2L * name.length() + 2);
        return name;
    }

    /** A name: next-name link (4), hash (2), character count (2), UTF-16 characters, terminator. */
    private String name(int offset) {
        String cached = names.get(offset);
        if (cached != null) return cached;
        int chars = chunk.u16(offset + 6);
        if (chars > MAX_NAME_CHARS) throw new EvtxFormatException("name at 0x" + Integer.toHexString(offset) + " is " + chars + " characters long");
        String name = chunk.utf16(offset + 8, chars);
        if (chunk.u16(offset + 8 + 2L * chars) != 0) throw new EvtxFormatException("name at 0x" + Integer.toHexString(offset) + " is not terminated");
        if (!XmlText.isName(name)) throw new EvtxFormatException("\"" + XmlText.printable(name) + "\" is not an XML name");
        names.put(offset, name);
        return name;
    }

    private Attribute attribute(Cursor c) {
        c.skip(1);
        String name = nameAt(c, c.pos);
        List<BinXmlNode> value = new ArrayList<>(1);
        while (c.more() && isValuePart(c.peek())) value.add(valuePart(c));
        return new Attribute(name, value);
    }

    private static boolean isValuePart(int token) {
        return switch (token) {
            case VALUE, VALUE | MORE, CHAR_REF, CHAR_REF | MORE, ENTITY_REF, ENTITY_REF | MORE,
                    NORMAL_SUBSTITUTION, OPTIONAL_SUBSTITUTION -> true;
            default -> false;
        };
    }

    private BinXmlNode valuePart(Cursor c) {
        int at = c.pos;
        int token = c.u8();
        switch (token & ~MORE) {
            case VALUE -> {
                int type = c.u8();
                if (type != 0x01) throw new EvtxFormatException("value text of type 0x" + Integer.toHexString(type) + " at 0x" + Integer.toHexString(at));
                return new Text(c.utf16(c.u16()));
            }
            case CHAR_REF -> {
                return new CharRef(c.u16());
            }
            case ENTITY_REF -> {
                return new EntityRef(nameAt(c, c.pos));
            }
            case NORMAL_SUBSTITUTION, OPTIONAL_SUBSTITUTION -> {
                int index = c.u16();
                int type = c.u8();
                return new Substitution(index, type, token == OPTIONAL_SUBSTITUTION);
            }
            default -> throw unexpected(token, at, "a value");
        }
    }

    private Pi pi(Cursor c) {
        c.skip(1);
        String target = nameAt(c, c.pos);
        if (target.equalsIgnoreCase("xml")) throw new EvtxFormatException("processing instruction with the reserved target " + target);
        int at = c.pos;
        if (c.u8() != PI_DATA) throw new EvtxFormatException("processing instruction without data at 0x" + Integer.toHexString(at));
        return new Pi(target, c.utf16(c.u16()));
    }

    /**
     * Template instance: token, unknown byte, template id, definition offset. A definition seen
     * for the first time in the chunk follows right here; later records point back to it. Then
     * the values: count, (size, type) descriptors, and the value bytes one after the other.
     */
    private TemplateInstance templateInstance(Cursor c) {
        c.skip(1 + 1 + 4);
        long definition = c.u32();
        if (definition == c.pos) {
            c.skip(TEMPLATE_HEADER - 4);
            c.skip(c.u32());
        }
        if (definition < FIRST_DATA_OFFSET || definition >= chunk.length()) {
            throw new EvtxFormatException("template offset 0x" + Long.toHexString(definition) + " outside the chunk's data");
        }
        Template template = template((int) definition);
        long count = c.u32();
        if (count > c.remaining() / 4) throw new EvtxFormatException("template instance claims " + count + " values, more than its record holds");
        int n = (int) count;
        int[] sizes = new int[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            sizes[i] = c.u16();
            types[i] = c.u8();
            c.skip(1);
        }
        List<Value> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(new Value(types[i], c.pos, sizes[i]));
            c.skip(sizes[i]);
        }
        return new TemplateInstance(template, values);
    }

    /** Definition: next-template link (4), GUID (16), data size (4), then a fragment of that size. */
    private Template template(int offset) {
        Template cached = templates.get(offset);
        if (cached != null) return cached;
        if (templatesInProgress.contains(offset)) throw new EvtxFormatException("template at 0x" + Integer.toHexString(offset) + " contains itself");
        if (templatesInProgress.size() >= MAX_TEMPLATE_CHAIN) throw new EvtxFormatException("templates nested deeper than " + MAX_TEMPLATE_CHAIN);
        long size = chunk.u32(offset + TEMPLATE_HEADER - 4);
        long end = offset + TEMPLATE_HEADER + size;
        if (end > chunk.length()) throw new EvtxFormatException("template at 0x" + Integer.toHexString(offset) + " claims " + size + " bytes, past the chunk's end");
        templatesInProgress.add(offset);
        try {
            List<BinXmlNode> nodes = fragment(new Cursor(chunk, offset + TEMPLATE_HEADER, (int) end), false);
            if (nodes.isEmpty()) throw new EvtxFormatException("template at 0x" + Integer.toHexString(offset) + " is empty");
            Template template = new Template(offset, List.copyOf(nodes));
            templates.put(offset, template);
            return template;
        } finally {
            templatesInProgress.remove(offset);
        }
    }

    private static EvtxFormatException unexpected(int token, int at, String where) {
        return new EvtxFormatException("unexpected token 0x" + Integer.toHexString(token) + " at 0x" + Integer.toHexString(at) + " in " + where);
    }
}
