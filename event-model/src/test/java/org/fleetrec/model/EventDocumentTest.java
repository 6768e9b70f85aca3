package org.fleetrec.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventDocumentTest {
    @Test
    void dottedFieldsBuildNestedObjects() {
        EventDocument doc = EventDocument.create()
                .put("process.parent.pid", 1)
                .put("process.pid", 42)
                .putAll("process.args", List.of("/bin/echo", "hi"))
                .put("process.name", (String) null);
        assertEquals("{\"process\":{\"parent\":{\"pid\":1},\"pid\":42,\"args\":[\"/bin/echo\",\"hi\"]}}", doc.toString());
        assertEquals("42", doc.text("process.pid"));
        assertNull(doc.get("process.name"));
        assertNull(doc.get("user.name"));
        assertFalse(doc.has("process.parent.name"));
        doc.remove("process.parent.pid");
        assertFalse(doc.has("process.parent.pid"));
        assertTrue(doc.has("process.pid"));
    }

    @Test
    void hostileTextStaysOneLine() throws Exception {
        String hostile = "a\nb\r\"}{\u0000\u2028";
        EventDocument doc = EventDocument.create().put("process.command_line", hostile);
        byte[] line = EventCodec.toLine(doc);
        int newlines = 0;
        for (byte b : line) if (b == '\n') newlines++;
        assertEquals(1, newlines);
        assertEquals(hostile, EventCodec.parseLine(new String(line, java.nio.charset.StandardCharsets.UTF_8)).text("process.command_line"));
    }
}
