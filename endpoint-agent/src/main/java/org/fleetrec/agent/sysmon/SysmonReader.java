package org.fleetrec.agent.sysmon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetrec.agent.sysmon.evtx.EvtxEntry;
import org.fleetrec.agent.sysmon.evtx.EvtxFile;
import org.fleetrec.agent.sysmon.evtx.EvtxProblem;
import org.fleetrec.agent.sysmon.evtx.EvtxRecord;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;

/**
 * Streams a Sysmon export, plain or gzip (told by its magic bytes), whatever its shape: a Windows
 * event log file (.evtx, told by its signature), event XML (with or without a root), JSON lines,
 * or JSON arrays / pretty-printed objects. Every record becomes one {@link SysmonItem}; a bad
 * record becomes a {@link SysmonItem.Failed} with its line and a reason, and reading goes on
 * with the next.
 */
public final class SysmonReader extends ReadAhead<SysmonItem> implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PEEK_LIMIT = 16 << 20;

    /** The text being read; null for an evtx file, which is binary. */
    private final BufferedReader in;
    private final Closeable file;
    private final Source source;
    private long records;

    private interface Source {
        SysmonItem next(SysmonReader reader) throws IOException;
    }

    private SysmonReader(BufferedReader in) throws IOException {
        this.in = in;
        this.file = in;
        this.source = detect();
    }

    private SysmonReader(EvtxFile evtx) {
        this.in = null;
        this.file = evtx;
        this.source = reader -> reader.evtx(evtx);
    }

    public static SysmonReader open(Path file) throws IOException {
        return of(Files.newInputStream(file));
    }

    public static SysmonReader of(InputStream raw) throws IOException {
        InputStream in = decompressed(raw);
        if (EvtxFile.startsLikeEvtx(in)) return new SysmonReader(EvtxFile.of(in));
        return new SysmonReader(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16));
    }

    /** The bytes of {@code raw}, un-gzipped when they are gzip (told by the magic bytes, not a name); mark is supported. */
    public static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16) : buffered;
    }

    /** Every item of a file, read lazily; closing the stream closes the file. */
    public static Stream<SysmonItem> items(Path file) throws IOException {
        SysmonReader reader = open(file);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(reader, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    try {
                        reader.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    @Override
    protected SysmonItem readNext() throws IOException {
        return source.next(this);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    private Source detect() throws IOException {
        in.mark(PEEK_LIMIT);
        String first;
        do {
            first = in.readLine();
        } while (first != null && strip(first).isEmpty());
        in.reset();
        if (first == null) return reader -> null;
        String start = strip(first);
        if (start.startsWith("<")) {
            XmlEventSplitter splitter = new XmlEventSplitter(in);
            return reader -> reader.xml(splitter);
        }
        if (start.startsWith("{") && isWholeObject(start)) return new JsonLines();
        if (start.startsWith("{") || start.startsWith("[")) return new JsonStream();
        boolean[] reported = {false};
        return reader -> {
            if (reported[0]) return null;
            reported[0] = true;
            reader.records++;
            return new SysmonItem.Failed("not XML or JSON (starts with " + abbreviate(start) + ")", 1, reader.records);
        };
    }

    private SysmonItem xml(XmlEventSplitter splitter) {
        XmlEventSplitter.Chunk chunk = splitter.next();
        if (chunk == null) return null;
        records++;
        if (chunk.error() != null) return new SysmonItem.Failed(chunk.error(), chunk.line(), records);
        try {
            SysmonEvent event = chunk.truncated() ? SysmonXmlParser.parseTruncated(chunk.xml()) : SysmonXmlParser.parse(chunk.xml());
            return classify(event, chunk.line(), records);
        } catch (IllegalArgumentException e) {
            return new SysmonItem.Failed(e.getMessage(), chunk.line(), records);
        }
    }

    /** An evtx file has no lines: its items carry line -1, and a failure's reason names the chunk and file offset. */
    private SysmonItem evtx(EvtxFile evtx) {
        if (!evtx.hasNext()) return null;
        EvtxEntry entry = evtx.next();
        records++;
        if (entry instanceof EvtxProblem problem) return new SysmonItem.Failed(problem.reason(), -1, records);
        EvtxRecord record = (EvtxRecord) entry;
        try {
            return classify(SysmonXmlParser.parse(record.xml()), -1, records);
        } catch (IllegalArgumentException e) {
            return new SysmonItem.Failed("evtx record " + record.recordId() + ": " + e.getMessage(), -1, records);
        }
    }

    private SysmonItem json(JsonNode row, long line) {
        records++;
        try {
            return classify(SysmonJsonParser.parse(row), line, records);
        } catch (SysmonJsonParser.NotSysmonException e) {
            return new SysmonItem.Skipped(e.getMessage(), line, records);
        } catch (IllegalArgumentException e) {
            return new SysmonItem.Failed(e.getMessage(), line, records);
        }
    }

    private static SysmonItem classify(SysmonEvent event, long line, long record) {
        return event.isSysmon() ? new SysmonItem.Event(event, line, record)
                : new SysmonItem.Skipped(event.notSysmonReason(), line, record);
    }

    /** One object per line: a line that does not parse is reported and the next line is read. */
    private final class JsonLines implements Source {
        private long line;

        @Override
        public SysmonItem next(SysmonReader reader) throws IOException {
            String text;
            do {
                text = in.readLine();
                line++;
            } while (text != null && strip(text).isEmpty());
            if (text == null) return null;
            try {
                return json(JSON.readTree(strip(text)), line);
            } catch (JsonProcessingException e) {
                records++;
                return new SysmonItem.Failed("malformed JSON: " + e.getOriginalMessage(), line, records);
            }
        }
    }

    /** Arrays and pretty-printed objects: no line structure to resynchronise on, so a syntax error ends the file. */
    private final class JsonStream implements Source {
        private JsonParser parser;
        private boolean done;

        @Override
        public SysmonItem next(SysmonReader reader) throws IOException {
            if (done) return null;
            try {
                if (parser == null) {
                    parser = JSON.getFactory().createParser(in);
                    if (parser.nextToken() == JsonToken.START_ARRAY) parser.nextToken();
                } else {
                    parser.nextToken();
                }
                JsonToken token = parser.currentToken();
                if (token == null || token == JsonToken.END_ARRAY) {
                    done = true;
                    return null;
                }
                long line = parser.currentLocation().getLineNr();
                JsonNode row = JSON.readTree(parser);
                return json(row, line);
            } catch (JsonProcessingException e) {
                done = true;
                records++;
                long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
                return new SysmonItem.Failed("malformed JSON, rest of file unreadable: " + e.getOriginalMessage(), line, records);
            }
        }
    }

    private static boolean isWholeObject(String line) {
        try {
            return JSON.readTree(line).isObject();
        } catch (JsonProcessingException e) {
            // a first line that does not parse alone is either a pretty-printed object or a bad line;
            // it ends with '}' only in the second case
            return line.endsWith("}");
        }
    }

    private static String strip(String line) {
        String s = line.strip();
        return s.startsWith("\uFEFF") ? s.substring(1).strip() : s;
    }

    private static String abbreviate(String s) {
        return '"' + (s.length() > 20 ? s.substring(0, 20) + "…" : s) + '"';
    }
}
