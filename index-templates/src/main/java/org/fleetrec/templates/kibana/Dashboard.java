package org.fleetrec.templates.kibana;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A dashboard of saved visualizations and searches, laid out in rows on Kibana's 48-column grid.
 * Panels refer to their objects by reference ({@code panelRefName} plus a {@code <panelIndex>:panel_<panelIndex>}
 * reference, as Kibana 8 exports them), so each object is migrated by its own type on import.
 */
final class Dashboard {
    static final int GRID_COLUMNS = 48;

    private record Panel(SavedObject target, int x, int y, int w, int h) {
    }

    private final String id;
    private final String title;
    private String description = "";
    private final List<Panel> panels = new ArrayList<>();
    private int nextRow;

    private Dashboard(String id, String title) {
        this.id = id;
        this.title = title;
    }

    static Dashboard of(String id, String title) {
        return new Dashboard(id, title);
    }

    Dashboard describe(String text) {
        this.description = text;
        return this;
    }

    /** A row of {@code height} grid units holding the objects side by side, equally wide. */
    Dashboard row(int height, SavedObject... targets) {
        if (targets.length == 0 || GRID_COLUMNS % targets.length != 0) {
            throw new IllegalArgumentException(id + ": a row holds 1, 2, 3 or 4 panels");
        }
        int width = GRID_COLUMNS / targets.length;
        for (int i = 0; i < targets.length; i++) panels.add(new Panel(targets[i], i * width, nextRow, width, height));
        nextRow += height;
        return this;
    }

    SavedObject build() {
        ArrayNode panelsJson = Json.array();
        List<SavedObject.Reference> references = new ArrayList<>();
        int index = 0;
        for (Panel panel : panels) {
            String panelIndex = Integer.toString(++index);
            String refName = "panel_" + panelIndex;
            ObjectNode p = panelsJson.addObject().put("version", KibanaObjects.TYPE_VERSION).put("type", panel.target().type());
            p.putObject("gridData").put("x", panel.x()).put("y", panel.y()).put("w", panel.w()).put("h", panel.h())
                    .put("i", panelIndex);
            p.put("panelIndex", panelIndex);
            p.putObject("embeddableConfig").putObject("enhancements");
            p.put("panelRefName", refName);
            references.add(new SavedObject.Reference(panelIndex + ":" + refName, panel.target().type(), panel.target().id()));
        }
        ObjectNode attributes = Json.object().put("title", title).put("description", description).put("hits", 0)
                .put("panelsJSON", Json.text(panelsJson))
                .put("optionsJSON", Json.text(Json.object().put("useMargins", true).put("syncColors", false)
                        .put("hidePanelTitles", false)))
                .put("timeRestore", true).put("timeFrom", "now-24h").put("timeTo", "now").put("version", 1);
        attributes.putObject("refreshInterval").put("pause", true).put("value", 60_000);
        ObjectNode source = Json.object();
        source.putObject("query").put("query", "").put("language", "kuery");
        source.putArray("filter");
        attributes.putObject("kibanaSavedObjectMeta").put("searchSourceJSON", Json.text(source));
        return new SavedObject("dashboard", id, attributes, references, KibanaObjects.TYPE_VERSION, KibanaObjects.CORE_VERSION);
    }
}
