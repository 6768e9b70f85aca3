package org.fleetrec.templates.kibana;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The export format: what it accepts, and a clear error naming the line for what it does not. */
class SavedObjectsNdjsonTest {
    private static final String VIEW = "{\"type\":\"index-pattern\",\"id\":\"v\",\"attributes\":{\"title\":\"a-*\"},\"references\":[]}";

    private static SavedObjectsNdjson.Parsed parse(String text) throws IOException {
        return SavedObjectsNdjson.parse(new StringReader(text), "test.ndjson");
    }

    private static String refused(String text) {
        return assertThrows(IllegalArgumentException.class, () -> parse(text)).getMessage();
    }

    @Test
    void writesAndReadsBackTheSameObjects() throws IOException {
        List<SavedObject> built = KibanaObjects.build();
        List<SavedObject> read = parse(SavedObjectsNdjson.write(built)).objects();
        assertEquals(built.size(), read.size());
        for (int i = 0; i < built.size(); i++) assertEquals(built.get(i).toJson(), read.get(i).toJson());
    }

    @Test
    void blankLinesCrLfAndATrailingSummaryAreFine() throws IOException {
        var parsed = parse(VIEW + "\r\n\r\n" + VIEW.replace("\"v\"", "\"w\"") + "\n{\"exportedCount\":2,\"missingRefCount\":0}");
        assertEquals(List.of("v", "w"), parsed.objects().stream().map(SavedObject::id).toList());
        assertEquals(2, parsed.summary().orElseThrow().get("exportedCount").asInt());
    }

    @Test
    void malformedLinesAreRefusedByLine() {
        assertTrue(refused(VIEW + "\n{\"type\":\"search\",\"id\":\"s\",\"attrib").startsWith("test.ndjson line 2: not one JSON object"));
        assertTrue(refused(VIEW + "\n[1,2]").contains("line 2: not a JSON object"));
        assertTrue(refused(VIEW + " {\"a\":1}").contains("line 1: not one JSON object"), "two objects on one line");
        assertTrue(refused("{\"type\":\"search\",\"attributes\":{}}").contains("line 1: a saved object needs \"type\" and \"id\""));
        assertTrue(refused("{\"type\":\"search\",\"id\":\"s\",\"attributes\":\"x\"}").contains("no \"attributes\" object"));
        assertTrue(refused("{\"type\":\"search\",\"id\":\"s\",\"attributes\":{},\"references\":[{\"name\":\"n\"}]}")
                .contains("reference without name, type or id"));
        assertTrue(refused("{\"exportedCount\":1}\n" + VIEW).contains("line 2: an object after the export summary line"));
    }

    @Test
    void anOverlongLineIsRefusedWithoutReadingItWhole() {
        String huge = "{\"x\":\"" + "a".repeat(SavedObjectsNdjson.MAX_LINE_CHARS) + "\"}";
        assertTrue(refused(huge).contains("line 1: longer than"));
    }

    @Test
    void anEmbeddedAttributeThatIsNotJsonIsNamed() throws IOException {
        SavedObject vis = parse("{\"type\":\"visualization\",\"id\":\"x\",\"attributes\":{\"visState\":\"{broken\"}}").objects().get(0);
        String message = assertThrows(IllegalArgumentException.class, () -> vis.embedded("visState")).getMessage();
        assertTrue(message.contains("visualization \"x\": visState is not valid JSON"), message);
        assertTrue(vis.embedded("uiStateJSON").isEmpty());
    }
}
