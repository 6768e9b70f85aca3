package org.fleetrec.agent.sysmon.evtx;

import org.fleetrec.agent.sysmon.evtx.BinXmlNode.Value;

import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A template value as Windows' renderer writes it: integers in decimal, hex integers and sizes
 * as {@code 0x} and lower-case digits without padding, GUIDs lower case in braces, SIDs as
 * {@code S-1-...}, FILETIMEs as ISO instants with 100 ns digits, binary as upper-case hex,
 * booleans as {@code true}/{@code false}.
 */
final class ValueText {
    private static final int STRING = 0x01;
    private static final int ANSI = 0x02;
    private static final int INT8 = 0x03;
    private static final int UINT8 = 0x04;
    private static final int INT16 = 0x05;
    private static final int UINT16 = 0x06;
    private static final int INT32 = 0x07;
    private static final int UINT32 = 0x08;
    private static final int INT64 = 0x09;
    private static final int UINT64 = 0x0a;
    private static final int REAL32 = 0x0b;
    private static final int REAL64 = 0x0c;
    private static final int BOOL = 0x0d;
    private static final int BINARY = 0x0e;
    private static final int GUID = 0x0f;
    private static final int SIZE_T = 0x10;
    private static final int FILETIME = 0x11;
    private static final int SYSTEMTIME = 0x12;
    private static final int SID = 0x13;
    private static final int HEX32 = 0x14;
    private static final int HEX64 = 0x15;
    private static final int EVT_HANDLE = 0x20;
    private static final int EVT_XML = 0x23;

    /** FILETIME counts 100 ns ticks from 1601-01-01; this many seconds lie between then and 1970. */
    private static final long FILETIME_EPOCH_SECONDS = 11_644_473_600L;
    private static final Charset ANSI_CHARSET = ansiCharset();
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();
    private static final char[] HEX_LOWER = "0123456789abcdef".toCharArray();

    private ValueText() {
    }

    /** The whole value; an array's items comma separated (Windows repeats the element instead, see {@link XmlRenderer}). */
    static String render(ChunkBytes chunk, Value value) {
        if (value.isNull()) return "";
        if (!value.isArray()) return scalar(chunk, value.baseType(), value.offset(), value.size());
        return String.join(", ", items(chunk, value));
    }

    /** An array's items; strings are separated by their terminators. */
    static List<String> items(ChunkBytes chunk, Value value) {
        int type = value.baseType();
        int offset = value.offset();
        int size = value.size();
        List<String> out = new ArrayList<>();
        if (type == STRING || type == ANSI) {
            String all = type == STRING ? chunk.utf16(offset, size / 2) : chunk.text(offset, size, ANSI_CHARSET);
            int from = 0;
            for (int nul = all.indexOf('\0'); nul >= 0; nul = all.indexOf('\0', from)) {
                out.add(all.substring(from, nul));
                from = nul + 1;
            }
            if (from < all.length()) out.add(all.substring(from));
            return out;
        }
        int width = switch (type) {
            case INT8, UINT8 -> 1;
            case INT16, UINT16 -> 2;
            case INT32, UINT32, REAL32, BOOL, HEX32 -> 4;
            case INT64, UINT64, REAL64, FILETIME, HEX64 -> 8;
            case GUID, SYSTEMTIME -> 16;
            case SIZE_T -> size % 8 == 0 ? 8 : 4;
            default -> throw new EvtxFormatException("array of value type 0x" + Integer.toHexString(type) + " is not supported");
        };
        if (size % width != 0) throw new EvtxFormatException("array of type 0x" + Integer.toHexString(type) + " is " + size + " bytes, not a multiple of " + width);
        for (int at = 0; at < size; at += width) out.add(scalar(chunk, type, offset + at, width));
        return out;
    }

    private static String scalar(ChunkBytes chunk, int type, int at, int size) {
        chunk.check(at, size);
        return switch (type) {
            case 0x00 -> "";
            case STRING, EVT_XML -> stripTrailingNuls(chunk.utf16(at, size / 2));
            case ANSI -> stripTrailingNuls(chunk.text(at, size, ANSI_CHARSET));
            case INT8 -> Integer.toString((byte) fixed(chunk, at, size, 1));
            case UINT8 -> Long.toString(fixed(chunk, at, size, 1));
            case INT16 -> Integer.toString((short) fixed(chunk, at, size, 2));
            case UINT16 -> Long.toString(fixed(chunk, at, size, 2));
            case INT32 -> Integer.toString((int) fixed(chunk, at, size, 4));
            case UINT32 -> Long.toString(fixed(chunk, at, size, 4));
            case INT64 -> Long.toString(fixed(chunk, at, size, 8));
            case UINT64 -> Long.toUnsignedString(fixed(chunk, at, size, 8));
            case REAL32 -> real(Float.intBitsToFloat((int) fixed(chunk, at, size, 4)));
            case REAL64 -> real(Double.longBitsToDouble(fixed(chunk, at, size, 8)));
            case BOOL -> size == 0 ? "false" : fixed(chunk, at, size, size) != 0 ? "true" : "false";
            case BINARY -> hexUpper(chunk, at, size);
            case GUID -> guid(chunk, at, size);
            case SIZE_T, EVT_HANDLE -> hex(fixed(chunk, at, size, size == 8 ? 8 : 4));
            case HEX32 -> hex(fixed(chunk, at, size, 4));
            case HEX64 -> hex(fixed(chunk, at, size, 8));
            case FILETIME -> fileTime(fixed(chunk, at, size, 8));
            case SYSTEMTIME -> systemTime(chunk, at, size);
            case SID -> sid(chunk, at, size);
            default -> throw new EvtxFormatException("unknown value type 0x" + Integer.toHexString(type));
        };
    }

    /** A fixed-width little-endian integer; a value of another size is corrupt. */
    private static long fixed(ChunkBytes chunk, int at, int size, int width) {
        if (size != width || width > 8) throw new EvtxFormatException("value of " + size + " bytes where " + width + " are expected");
        long v = 0;
        for (int i = width - 1; i >= 0; i--) v = v << 8 | chunk.u8(at + i);
        return v;
    }

    private static String stripTrailingNuls(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\0') end--;
        return s.substring(0, end);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String hexUpper(ChunkBytes chunk, int at, int size) {
        StringBuilder out = new StringBuilder(2 * size);
        for (int i = 0; i < size; i++) {
            int b = chunk.u8(at + i);
            out.append(HEX_UPPER[b >> 4]).append(HEX_UPPER[b & 0xf]);
        }
        return out.toString();
    }

    /** Windows writes non-finite numbers in its C runtime's spelling. */
    private static String real(double v) {
        if (Double.isNaN(v)) return "-1.#IND";
        if (Double.isInfinite(v)) return v > 0 ? "1.#INF" : "-1.#INF";
        if (v == 0) return "0";
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toString();
    }

    private static String real(float v) {
        if (Float.isNaN(v) || Float.isInfinite(v) || v == 0) return real((double) v);
        return new BigDecimal(Float.toString(v)).stripTrailingZeros().toString();
    }

    /** Data1, Data2, Data3 little-endian, then Data4's eight bytes in order. */
    private static String guid(ChunkBytes chunk, int at, int size) {
        if (size != 16) throw new EvtxFormatException("GUID of " + size + " bytes");
        StringBuilder out = new StringBuilder(38).append('{');
        int[] order = {3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
        for (int i : order) {
            if (i < 0) {
                out.append('-');
            } else {
                int b = chunk.u8(at + i);
                out.append(HEX_LOWER[b >> 4]).append(HEX_LOWER[b & 0xf]);
            }
        }
        return out.append('}').toString();
    }

    /** Revision, sub-authority count, a 48-bit big-endian authority, then 32-bit little-endian sub-authorities. */
    private static String sid(ChunkBytes chunk, int at, int size) {
        if (size < 8) throw new EvtxFormatException("SID of " + size + " bytes");
        int count = chunk.u8(at + 1);
        if (8 + 4 * count > size) throw new EvtxFormatException("SID with " + count + " sub-authorities in " + size + " bytes");
        long authority = 0;
        for (int i = 2; i < 8; i++) authority = authority << 8 | chunk.u8(at + i);
        StringBuilder out = new StringBuilder("S-").append(chunk.u8(at)).append('-');
        out.append(authority < (1L << 32) ? Long.toString(authority) : hex(authority));
        for (int i = 0; i < count; i++) out.append('-').append(chunk.u32(at + 8 + 4L * i));
        return out.toString();
    }

    static Instant fileTimeInstant(long ticks) {
        long seconds = Long.divideUnsigned(ticks, 10_000_000L) - FILETIME_EPOCH_SECONDS;
        long nanos = Long.remainderUnsigned(ticks, 10_000_000L) * 100;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** {@code 2019-04-30T20:32:50.9029620Z}: all seven digits a FILETIME holds. */
    static String fileTime(long ticks) {
        Instant instant = fileTimeInstant(ticks);
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        return isoDate(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond())
                + '.' + pad(instant.getNano() / 100, 7) + 'Z';
    }

    /** Year, month, day of week, day, hour, minute, second, millisecond: 16-bit fields, written as they are. */
    private static String systemTime(ChunkBytes chunk, int at, int size) {
        if (size != 16) throw new EvtxFormatException("SYSTEMTIME of " + size + " bytes");
        return isoDate(chunk.u16(at), chunk.u16(at + 2), chunk.u16(at + 6), chunk.u16(at + 8), chunk.u16(at + 10), chunk.u16(at + 12))
                + '.' + pad(chunk.u16(at + 14), 3) + 'Z';
    }

    private static String isoDate(int year, int month, int day, int hour, int minute, int second) {
        return pad(year, 4) + '-' + pad(month, 2) + '-' + pad(day, 2) + 'T' + pad(hour, 2) + ':' + pad(minute, 2) + ':' + pad(second, 2);
    }

    private static String pad(long v, int width) {
        String s = Long.toString(v);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    private static Charset ansiCharset() {
        try {
            return Charset.forName("windows-1252");
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
