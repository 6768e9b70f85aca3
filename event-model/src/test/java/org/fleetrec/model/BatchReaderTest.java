package org.fleetrec.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchReaderTest {
    @Test
    void gzipBatchRoundTrips() throws Exception {
        List<EventDocument> docs = List.of(
                EventDocument.create().put("event.sequence", 1),
                EventDocument.create().put("event.sequence", 2));
        byte[] body = EventCodec.gzipNdjson(docs);
        BatchReader reader = new BatchReader(new GZIPInputStream(new ByteArrayInputStream(body)), 1024);
        List<EventDocument> read = new ArrayList<>();
        for (BatchReader.Line line; (line = reader.next()) != null; ) read.add(EventCodec.parseLine(line.text()));
        assertEquals(docs, read);
    }

    @Test
    void overlongLineIsReportedAndItsNeighboursSurvive() throws Exception {
        String body = "{\"a\":1}\n\n" + "{\"b\":\"" + "x".repeat(5000) + "\"}\n{\"c\":3}";
        BatchReader reader = new BatchReader(new ByteArrayInputStream(body.getBytes()), 100);
        BatchReader.Line first = reader.next();
        assertTrue(first.ok());
        assertEquals(1, first.number());
        BatchReader.Line second = reader.next();
        assertFalse(second.ok());
        assertEquals(3, second.number());
        assertTrue(second.error().contains("exceeds"));
        BatchReader.Line third = reader.next();
        assertEquals("{\"c\":3}", third.text());
        assertEquals(4, third.number());
        assertNull(reader.next());
    }

    @Test
    void nonObjectLinesAreMalformed() {
        assertThrows(MalformedEventException.class, () -> EventCodec.parseLine("[1,2]"));
        assertThrows(MalformedEventException.class, () -> EventCodec.parseLine("{\"a\":1} trailing"));
        assertThrows(MalformedEventException.class, () -> EventCodec.parseLine("{\"a\":"));
    }
}
