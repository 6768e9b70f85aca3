package org.fleetrec.detection.hunt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.fleetrec.model.EventDocument;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A rule tried on event documents given by hand, as stored in {@code fleet-events-*} (nested
 * objects, as the agent writes them): for each, whether the rule matches. Nothing is read from or
 * written to the cluster.
 */
public final class RuleTrial {
    /** Most documents one trial takes: it answers one line for each. */
    public static final int MAX_EVENTS = 1_000;

    /**
     * What the rule made of one document, by its position in the list. {@code note} says why a
     * document could not match or might not read as meant (null when there is nothing to say).
     */
    public record Outcome(int index, boolean matched, String note) {
    }

    private RuleTrial() {
    }

    public static List<Outcome> run(HuntRule rule, List<JsonNode> events) throws HuntRefused {
        if (events.size() > MAX_EVENTS) {
            throw new HuntRefused(events.size() + " events given; a trial takes at most " + MAX_EVENTS);
        }
        List<Outcome> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            if (!(event instanceof ObjectNode doc)) {
                out.add(new Outcome(i, false, "not a JSON object"));
                continue;
            }
            out.add(new Outcome(i, rule.matches(EventDocument.wrap(doc)), dottedNames(doc)));
        }
        return out;
    }

    /**
     * Stored documents nest their fields; a name with a dot at the top is read as one name, not a
     * path, so a document copied from a flat view would silently fail to match without this note.
     */
    private static String dottedNames(ObjectNode doc) {
        for (Iterator<String> names = doc.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.indexOf('.') > 0) {
                return "field names with dots (" + (name.length() > 64 ? name.substring(0, 64) + "…" : name)
                        + ") are read as names, not paths: nest them as stored ({\"process\": {\"name\": ...}})";
            }
        }
        return null;
    }
}
