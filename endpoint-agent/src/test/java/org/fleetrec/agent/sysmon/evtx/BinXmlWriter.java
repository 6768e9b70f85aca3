package org.fleetrec.agent.sysmon.evtx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Writes binary XML tokens for tests, written from the format documentation. {@code base} is the
 * chunk offset the first byte will land at: names and template definitions stored inline point
 * at their own position, so the writer must know it.
 */
final class BinXmlWriter {
    private final int base;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    BinXmlWriter(int base) {
        this.base = base;
    }

    int pos() {
        return base + out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    BinXmlWriter u8(int v) {
        out.write(v);
        return this;
    }

    BinXmlWriter u16(int v) {
        return u8(v & 0xff).u8(v >>> 8 & 0xff);
    }

    BinXmlWriter u32(long v) {
        return u16((int) (v & 0xffff)).u16((int) (v >>> 16 & 0xffff));
    }

    BinXmlWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    BinXmlWriter fragmentHeader() {
        return u8(0x0f).u8(1).u8(1).u8(0);
    }

    BinXmlWriter eof() {
        return u8(0x00);
    }

    /** Element start with a dependency identifier and its name stored inline. */
    BinXmlWriter open(String name, boolean attributes) {
        u8(attributes ? 0x41 : 0x01).u16(0xffff).u32(0);
        inlineName(name);
        return attributes ? u32(0) : this;
    }

    /** Element start as found inside a binary XML value: no dependency identifier. */
    BinXmlWriter openInValue(String name) {
        u8(0x01).u32(0);
        return inlineName(name);
    }

    /** Element start inside a binary XML value, naming a name stored earlier in the chunk. */
    BinXmlWriter openInValueNamed(int nameOffset) {
        return u8(0x01).u32(0).u32(nameOffset);
    }

    /** Element start naming a name stored earlier in the chunk. */
    BinXmlWriter openNamed(int nameOffset) {
        return u8(0x01).u16(0xffff).u32(0).u32(nameOffset);
    }

    BinXmlWriter inlineName(String name) {
        u32(pos() + 4);
        u32(0).u16(0).u16(name.length());
        raw(name.getBytes(StandardCharsets.UTF_16LE));
        return u16(0);
    }

    BinXmlWriter attribute(String name) {
        u8(0x06);
        return inlineName(name);
    }

    BinXmlWriter closeStart() {
        return u8(0x02);
    }

    BinXmlWriter closeEmpty() {
        return u8(0x03);
    }

    BinXmlWriter end() {
        return u8(0x04);
    }

    BinXmlWriter text(String s) {
        u8(0x05).u8(0x01).u16(s.length());
        return raw(s.getBytes(StandardCharsets.UTF_16LE));
    }

    BinXmlWriter charRef(int code) {
        return u8(0x08).u16(code);
    }

    BinXmlWriter entityRef(String name) {
        u8(0x09);
        return inlineName(name);
    }

    BinXmlWriter cdata(String s) {
        u8(0x07).u16(s.length());
        return raw(s.getBytes(StandardCharsets.UTF_16LE));
    }

    BinXmlWriter substitution(int index, int type) {
        return u8(0x0d).u16(index).u8(type);
    }

    BinXmlWriter optional(int index, int type) {
        return u8(0x0e).u16(index).u8(type);
    }

    /** {@code <name>} + substitution + {@code </name>}: how templates hold most values. */
    BinXmlWriter element(String name, int index, int type) {
        return open(name, false).closeStart().substitution(index, type).end();
    }

    /** A template instance whose definition follows inline; returns the definition's offset through {@code defined}. */
    BinXmlWriter templateInstance(Consumer<BinXmlWriter> definition, int[] defined, TemplateValue... values) {
        u8(0x0c).u8(1).u32(0x1234);
        int offset = pos() + 4;
        if (defined != null) defined[0] = offset;
        u32(offset);
        u32(0);
        for (int i = 0; i < 16; i++) u8(i);
        BinXmlWriter body = new BinXmlWriter(offset + 24);
        body.fragmentHeader();
        definition.accept(body);
        body.eof();
        byte[] data = body.bytes();
        u32(data.length).raw(data);
        return values(values);
    }

    /** A template instance using a definition stored earlier in the chunk. */
    BinXmlWriter templateReference(int definitionOffset, TemplateValue... values) {
        u8(0x0c).u8(1).u32(0x1234).u32(definitionOffset);
        return values(values);
    }

    private BinXmlWriter values(TemplateValue... values) {
        u32(values.length);
        for (TemplateValue v : values) u16(v.bytes().length).u8(v.type()).u8(0);
        for (TemplateValue v : values) raw(v.bytes());
        return this;
    }

    record TemplateValue(int type, byte[] bytes) {
        static TemplateValue string(String s) {
            return new TemplateValue(0x01, s.getBytes(StandardCharsets.UTF_16LE));
        }

        static TemplateValue of(int type, int... bytes) {
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
            return new TemplateValue(type, b);
        }

        static TemplateValue le(int type, long value, int width) {
            byte[] b = new byte[width];
            for (int i = 0; i < width; i++) b[i] = (byte) (value >>> (8 * i));
            return new TemplateValue(type, b);
        }
    }
}
