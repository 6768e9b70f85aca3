package org.fleetrec.agent.sysmon;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.fleetrec.model.EventDocument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The shared Sysmon reference data (section B of its README), read in place, never copied. */
public final class SysmonTestData {
    private SysmonTestData() {
    }

    /** {@code ../shared/data/<relative>} from the repo root (see AuditTestData); skips the test if absent. */
    public static Path shared(String relative) {
        Path p = Path.of(System.getProperty("fleetrec.root", "."), "../shared/data", relative).normalize();
        assumeTrue(Files.exists(p), "shared reference data not present at " + p
                + " (see /work/shared/data/README.md section B); skipping");
        return p;
    }

    static List<SysmonItem> items(Path file) {
        try (Stream<SysmonItem> items = SysmonReader.items(file)) {
            return items.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<SysmonEvent> events(List<SysmonItem> items) {
        List<SysmonEvent> out = new ArrayList<>();
        for (SysmonItem item : items) if (item instanceof SysmonItem.Event e) out.add(e.event());
        return out;
    }

    static List<EventDocument> mapped(Path file) {
        SysmonMapper mapper = new SysmonMapper();
        return events(items(file)).stream().map(mapper::map).flatMap(java.util.Optional::stream).toList();
    }

    /** Mapped documents counted by event.code, as the README's tables count them. */
    static Map<Integer, Integer> countByEventId(List<EventDocument> docs) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (EventDocument doc : docs) counts.merge(Integer.parseInt(doc.text("event.code")), 1, Integer::sum);
        return counts;
    }

    static Map<Integer, Integer> counts(Object... idThenCount) {
        Map<Integer, Integer> out = new TreeMap<>();
        for (int i = 0; i < idThenCount.length; i += 2) out.put((Integer) idThenCount[i], (Integer) idThenCount[i + 1]);
        return out;
    }
}
