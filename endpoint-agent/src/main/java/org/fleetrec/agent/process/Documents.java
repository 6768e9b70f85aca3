package org.fleetrec.agent.process;

import org.fleetrec.model.Dataset;
import org.fleetrec.model.Ecs;
import org.fleetrec.model.EventDocument;

import java.time.Instant;
import java.util.List;

/** The event.* block every document starts with; one place so datasets stay consistent. */
public final class Documents {
    private Documents() {
    }

    public static EventDocument event(Instant time, Dataset dataset, String action, String kind,
                                      String category, String type) {
        return EventDocument.create()
                .put(Ecs.TIMESTAMP, time.toString())
                .put(Ecs.EVENT_DATASET, dataset.id())
                .put(Ecs.EVENT_ACTION, action)
                .put(Ecs.EVENT_KIND, kind)
                .putAll(Ecs.EVENT_CATEGORY, List.of(category))
                .putAll(Ecs.EVENT_TYPE, List.of(type));
    }
}
