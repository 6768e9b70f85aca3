package org.fleetrec.templates.kibana;

import org.fleetrec.model.Dataset;
import org.fleetrec.model.IndexNames;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.fleetrec.templates.kibana.Agg.cardinality;
import static org.fleetrec.templates.kibana.Agg.count;
import static org.fleetrec.templates.kibana.Agg.max;
import static org.fleetrec.templates.kibana.Agg.min;
import static org.fleetrec.templates.kibana.Agg.overTime;
import static org.fleetrec.templates.kibana.Agg.rare;
import static org.fleetrec.templates.kibana.Agg.sum;
import static org.fleetrec.templates.kibana.Agg.top;

/**
 * The Kibana saved objects of Fleet Recorder: a data view over all event indices, one per
 * dataset and one over the alerts, saved searches (open alerts among them), and five dashboards (fleet overview, processes, network, files,
 * authentication). Written as code because Kibana keeps most of an object as JSON inside a JSON
 * string; here ids, references and queries are plain values. {@link #RESOURCE} is this list as
 * an export file, committed so it can be imported by hand; a test keeps the two equal.
 */
public final class KibanaObjects {
    /** The ndjson export of {@link #build()}, next to this class. */
    public static final String RESOURCE = "fleet-recorder.ndjson";
    /**
     * Every object is written in the shape Kibana 8.0 stores: any Kibana 8 runs the later
     * migrations of each type on import, none refuses a version older than its own.
     */
    static final String TYPE_VERSION = "8.0.0";
    static final String CORE_VERSION = "8.0.0";

    public static final String ALL_EVENTS = "fleetrec-events";
    public static final String ALERTS = "fleetrec-alerts";
    /** Alerts nobody has acknowledged or closed yet. */
    static final String OPEN_ALERTS = "fleet.alert.status:open";

    /** Writes and attribute changes, by the file actions of the audit and Sysmon mappers. */
    static final String FILE_CHANGES = "event.action:(created or modified or deleted or renamed or attributes-changed"
            + " or file-creation-time-changed or created-stream)";
    /** Folders whose changes mean persistence, credentials or system binaries (KQL wildcards; \\ and : escaped). */
    static final String SENSITIVE_PATHS = "file.path:(/etc/* or /root/.ssh/* or /home/*/.ssh/* or /var/spool/cron/*"
            + " or /usr/bin/* or /usr/sbin/* or /bin/* or /sbin/* or /usr/local/bin/* or /lib/systemd/system/*"
            + " or /usr/lib/systemd/system/* or C\\:\\\\Windows\\\\System32\\\\* or C\\:\\\\Windows\\\\system32\\\\*)";
    static final String LOGINS = "event.action:(logged-in or authenticated)";

    private KibanaObjects() {
    }

    public static String dataViewId(Dataset dataset) {
        return ALL_EVENTS + "-" + dataset.id();
    }

    /** The export file as the module ships it. */
    public static byte[] ndjson() {
        try (InputStream in = KibanaObjects.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource missing: " + RESOURCE);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("resource unreadable: " + RESOURCE, e);
        }
    }

    /** Data views first, then searches and visualizations, then the dashboards that show them. */
    public static List<SavedObject> build() {
        List<SavedObject> objects = new ArrayList<>(dataViews());
        objects.addAll(overview());
        objects.addAll(processes());
        objects.addAll(network());
        objects.addAll(files());
        objects.addAll(authentication());
        objects.addAll(alerts());
        return objects;
    }

    private static List<SavedObject> dataViews() {
        List<SavedObject> views = new ArrayList<>();
        views.add(dataView(ALL_EVENTS, IndexNames.ALL_EVENTS, "Fleet Recorder: all events"));
        for (Dataset dataset : Dataset.values()) {
            views.add(dataView(dataViewId(dataset), IndexNames.EVENTS_PREFIX + dataset.id() + "-*",
                    "Fleet Recorder: " + dataset.id() + " events"));
        }
        // @timestamp of an alert is when it was first seen: the time range finds alerts by when they began.
        views.add(dataView(ALERTS, IndexNames.ALL_ALERTS, "Fleet Recorder: alerts"));
        return views;
    }

    private static SavedObject dataView(String id, String pattern, String name) {
        // Fields are left for Kibana to read from the cluster; the templates define them.
        var attributes = Json.object().put("title", pattern).put("name", name).put("timeFieldName", "@timestamp")
                .put("fields", "[]").put("fieldAttrs", "{}").put("fieldFormatMap", "{}").put("runtimeFieldMap", "{}")
                .put("sourceFilters", "[]").put("typeMeta", "{}").put("allowNoIndex", true);
        return new SavedObject("index-pattern", id, attributes, List.of(), TYPE_VERSION, CORE_VERSION);
    }

    private static List<SavedObject> overview() {
        String agent = dataViewId(Dataset.AGENT);
        SavedObject perHost = Visualization.bars("fleetrec-vis-events-per-host", "Events per host over time")
                .on(ALL_EVENTS).metric(count()).bucket(overTime()).bucket(top("host.name", 10, "Host")).build();
        SavedObject perDataset = Visualization.bars("fleetrec-vis-events-per-dataset", "Events per dataset over time")
                .on(ALL_EVENTS).metric(count()).bucket(overTime()).bucket(top("event.dataset", 10, "Dataset")).build();
        SavedObject health = Visualization.table("fleetrec-vis-agent-health", "Agent health by host")
                .describe("From each agent's health report (every minute). The loss counters count since the agent, or for"
                        + " kernel lost the kernel, started: any value above 0 means events were lost there.")
                .on(agent).where("event.action:health")
                .metric(max("@timestamp", "Last report"))
                .metric(max("fleet.health.kernel_lost", "Kernel lost"))
                .metric(max("fleet.health.queue_drops", "Queue drops"))
                .metric(max("fleet.health.socket_overruns", "Socket overruns"))
                .metric(max("fleet.health.sequence_gaps", "Sequence gaps"))
                .metric(max("fleet.health.backlog", "Peak backlog"))
                .bucket(top("host.name", 200, "Host").orderedBy(1, "desc"))
                .bucket(top("fleet.health.source_mode", 3, "Capture mode").orderedBy(1, "desc"))
                .build();
        SavedObject kernelLost = Visualization.lines("fleetrec-vis-kernel-lost", "Kernel lost counter per host")
                .describe("The kernel's audit lost counter as each agent last reported it; a rising line is loss happening.")
                .on(agent).where("event.action:health")
                .metric(max("fleet.health.kernel_lost", "Kernel lost")).bucket(overTime())
                .bucket(top("host.name", 10, "Host")).build();
        SavedObject storeGaps = Visualization.bars("fleetrec-vis-store-gaps", "Events dropped by the store quota")
                .describe("Gap events: unshipped events an agent's store had to drop when its quota was reached.")
                .on(agent).where("event.action:gap")
                .metric(sum("fleet.gap.count", "Events dropped")).bucket(overTime())
                .bucket(top("host.name", 10, "Host")).build();
        SavedObject newExecutables = Visualization.table("fleetrec-vis-new-executables", "Newest executables in the time range")
                .describe("Executables by the first time they ran in the selected range, newest first.")
                .on(dataViewId(Dataset.PROCESS)).where("event.action:executed")
                .metric(min("@timestamp", "First run")).metric(cardinality("host.name", "Hosts")).metric(count("Runs"))
                .bucket(top("process.executable", 50, "Executable").orderedBy(1, "desc")).build();
        SavedObject healthSearch = SavedSearch.of("fleetrec-search-agent-health", "Agent health reports")
                .on(agent).where("event.action:health")
                .columns("host.name", "fleet.health.source_mode", "fleet.health.kernel_lost", "fleet.health.queue_drops",
                        "fleet.health.socket_overruns", "fleet.health.sequence_gaps", "fleet.health.backlog")
                .build();
        SavedObject lossSearch = SavedSearch.of("fleetrec-search-agent-losses", "Agent losses and gaps")
                .describe("Store quota gaps, event-log records lost before they were read, records that could not be read.")
                .on(agent).where("event.action:(gap or source-gap or unreadable-event)")
                .columns("host.name", "event.action", "fleet.gap.count", "fleet.gap.first_sequence", "fleet.gap.last_sequence")
                .build();
        SavedObject dashboard = Dashboard.of("fleetrec-dashboard-overview", "[Fleet Recorder] Fleet overview")
                .describe("Events per host and dataset, agent health and loss, executables new in the time range.")
                .row(15, perHost, perDataset)
                .row(15, health)
                .row(15, kernelLost, storeGaps)
                .row(15, newExecutables, lossSearch)
                .build();
        return List.of(perHost, perDataset, health, kernelLost, storeGaps, newExecutables, healthSearch, lossSearch, dashboard);
    }

    private static List<SavedObject> processes() {
        String view = dataViewId(Dataset.PROCESS);
        String executed = "event.action:executed";
        SavedObject overTime = Visualization.bars("fleetrec-vis-process-starts", "Process starts over time by host")
                .on(view).where(executed).metric(count()).bucket(overTime()).bucket(top("host.name", 10, "Host")).build();
        SavedObject topExecutables = Visualization.table("fleetrec-vis-top-executables", "Top executables")
                .on(view).where(executed)
                .metric(count("Runs")).metric(cardinality("host.name", "Hosts")).metric(cardinality("user.name", "Users"))
                .bucket(top("process.executable", 25, "Executable")).build();
        SavedObject rareCommandLines = Visualization.table("fleetrec-vis-rare-command-lines", "Rare command lines")
                .describe("The least frequent command lines in the time range (approximate, as any ascending terms order).")
                .on(view).where(executed)
                .metric(count("Runs")).metric(cardinality("host.name", "Hosts")).metric(min("@timestamp", "First run"))
                .bucket(rare("process.command_line", 50, "Command line")).build();
        SavedObject perUser = Visualization.bars("fleetrec-vis-executions-per-user", "Process starts per user")
                .on(view).where(executed).metric(count()).bucket(top("user.name", 20, "User"))
                .bucket(top("host.name", 5, "Host")).build();
        SavedObject parents = Visualization.table("fleetrec-vis-parent-child", "Parent and child executables")
                .on(view).where(executed).metric(count("Runs")).metric(cardinality("host.name", "Hosts"))
                .bucket(top("process.parent.executable", 20, "Parent"))
                .bucket(top("process.executable", 5, "Child")).build();
        SavedObject search = SavedSearch.of("fleetrec-search-process-executions", "Process executions")
                .on(view).where(executed)
                .columns("host.name", "user.name", "process.executable", "process.command_line", "process.parent.executable",
                        "process.entity_id")
                .build();
        SavedObject dashboard = Dashboard.of("fleetrec-dashboard-processes", "[Fleet Recorder] Process activity")
                .describe("What ran where and as whom: top executables, rare command lines, starts per user.")
                .row(15, overTime, perUser)
                .row(18, topExecutables, rareCommandLines)
                .row(15, parents)
                .row(18, search)
                .build();
        return List.of(overTime, topExecutables, rareCommandLines, perUser, parents, search, dashboard);
    }

    private static List<SavedObject> network() {
        String view = dataViewId(Dataset.NETWORK);
        String connections = "network.direction:(egress or ingress)";
        SavedObject destinations = Visualization.table("fleetrec-vis-top-destinations", "Top destinations")
                .on(view).where("network.direction:egress")
                .metric(count("Connections")).metric(cardinality("host.name", "Hosts"))
                .metric(cardinality("process.executable", "Programs"))
                .bucket(top("destination.ip", 25, "Destination")).bucket(top("destination.port", 5, "Port")).build();
        SavedObject perHost = Visualization.bars("fleetrec-vis-direction-per-host", "Ingress and egress per host")
                .on(view).where(connections).metric(count("Connections"))
                .bucket(top("host.name", 20, "Host")).bucket(top("network.direction", 2, "Direction")).build();
        SavedObject overTime = Visualization.bars("fleetrec-vis-connections-over-time", "Connections over time")
                .on(view).where(connections).metric(count("Connections")).bucket(overTime())
                .bucket(top("network.direction", 2, "Direction")).build();
        SavedObject listening = Visualization.table("fleetrec-vis-listening-ports", "Listening ports")
                .on(view).where("network.direction:listening")
                .metric(count("Listen calls")).metric(max("@timestamp", "Last seen"))
                .bucket(top("host.name", 50, "Host")).bucket(top("source.port", 20, "Port"))
                .bucket(top("process.executable", 3, "Program")).build();
        SavedObject programs = Visualization.table("fleetrec-vis-egress-programs", "Programs connecting out")
                .on(view).where("network.direction:egress")
                .metric(count("Connections")).metric(cardinality("destination.ip", "Destinations"))
                .metric(cardinality("host.name", "Hosts"))
                .bucket(top("process.executable", 25, "Program")).build();
        SavedObject search = SavedSearch.of("fleetrec-search-network-connections", "Network connections")
                .on(view).where(connections)
                .columns("host.name", "network.direction", "source.ip", "source.port", "destination.ip", "destination.port",
                        "process.executable", "network.community_id")
                .build();
        SavedObject dashboard = Dashboard.of("fleetrec-dashboard-network", "[Fleet Recorder] Network activity")
                .describe("Who talks to whom: top destinations, ingress and egress per host, listening ports.")
                .row(15, overTime, perHost)
                .row(18, destinations, programs)
                .row(15, listening)
                .row(18, search)
                .build();
        return List.of(destinations, perHost, overTime, listening, programs, search, dashboard);
    }

    private static List<SavedObject> files() {
        String view = dataViewId(Dataset.FILE);
        String sensitive = FILE_CHANGES + " and " + SENSITIVE_PATHS;
        SavedObject writes = Visualization.table("fleetrec-vis-sensitive-writes", "Changes under sensitive paths")
                .describe("Files created, changed, renamed or deleted under /etc, SSH folders, cron, system binaries and"
                        + " unit folders, and C:\\Windows\\System32.")
                .on(view).where(sensitive)
                .metric(count("Changes")).metric(max("@timestamp", "Last change"))
                .bucket(top("file.path", 50, "Path")).bucket(top("host.name", 10, "Host"))
                .bucket(top("process.executable", 5, "Program")).build();
        SavedObject overTime = Visualization.bars("fleetrec-vis-sensitive-writes-over-time", "Sensitive changes over time by host")
                .on(view).where(sensitive).metric(count("Changes")).bucket(overTime()).bucket(top("host.name", 10, "Host")).build();
        SavedObject actions = Visualization.pie("fleetrec-vis-file-actions", "File changes by action")
                .on(view).where(FILE_CHANGES).metric(count("Changes")).bucket(top("event.action", 10, "Action")).build();
        SavedObject writers = Visualization.table("fleetrec-vis-top-writers", "Programs changing files")
                .on(view).where(FILE_CHANGES)
                .metric(count("Changes")).metric(cardinality("file.path", "Files")).metric(cardinality("host.name", "Hosts"))
                .bucket(top("process.executable", 25, "Program")).build();
        SavedObject search = SavedSearch.of("fleetrec-search-sensitive-writes", "Changes under sensitive paths")
                .on(view).where(sensitive)
                .columns("host.name", "event.action", "file.path", "file.target_path", "process.executable", "user.name")
                .build();
        SavedObject dashboard = Dashboard.of("fleetrec-dashboard-files", "[Fleet Recorder] File activity")
                .describe("Changes to files where they matter: system configuration, SSH keys, cron, binaries.")
                .row(15, overTime, actions)
                .row(18, writes)
                .row(15, writers)
                .row(18, search)
                .build();
        return List.of(writes, overTime, actions, writers, search, dashboard);
    }

    private static List<SavedObject> alerts() {
        SavedObject open = SavedSearch.of("fleetrec-search-open-alerts", "Open alerts")
                .describe("Alerts nobody has acknowledged or closed, newest first; the web app's /alerts page triages them.")
                .on(ALERTS).where(OPEN_ALERTS)
                .columns("rule.level", "rule.name", "host.name", "process.command_line", "user.name", "fleet.alert.count",
                        "fleet.alert.last_seen", "process.entity_id")
                .build();
        return List.of(open);
    }

    private static List<SavedObject> authentication() {
        String view = dataViewId(Dataset.AUTH);
        String sudo = "process.name:(sudo or su) and event.action:started-session";
        SavedObject logins = Visualization.bars("fleetrec-vis-logins-over-time", "Logins and authentications by outcome")
                .on(view).where(LOGINS).metric(count()).bucket(overTime()).bucket(top("event.outcome", 3, "Outcome")).build();
        SavedObject failures = Visualization.table("fleetrec-vis-auth-failures", "Failed authentications")
                .on(view).where("event.outcome:failure and event.category:authentication")
                .metric(count("Failures")).metric(max("@timestamp", "Last failure"))
                .bucket(top("user.name", 25, "User")).bucket(top("source.ip", 10, "From"))
                .bucket(top("host.name", 10, "Host")).build();
        SavedObject perHost = Visualization.table("fleetrec-vis-logins-per-host", "Logins per host")
                .on(view).where("event.action:logged-in")
                .metric(count("Logins")).metric(cardinality("user.name", "Users")).metric(cardinality("source.ip", "Sources"))
                .bucket(top("host.name", 50, "Host")).bucket(top("event.outcome", 2, "Outcome")).build();
        SavedObject sudoSessions = Visualization.table("fleetrec-vis-sudo-su", "sudo and su sessions")
                .on(view).where(sudo)
                .metric(count("Sessions")).metric(max("@timestamp", "Last"))
                .bucket(top("user.audit.name", 25, "Login user")).bucket(top("user.target.name", 10, "As user"))
                .bucket(top("process.name", 2, "Through")).bucket(top("host.name", 10, "Host")).build();
        SavedObject sudoCommands = Visualization.table("fleetrec-vis-sudo-commands", "Commands run through sudo")
                .on(view).where("event.action:ran-command")
                .metric(count("Runs")).metric(max("@timestamp", "Last"))
                .bucket(top("process.command_line", 50, "Command")).bucket(top("user.audit.name", 5, "Login user")).build();
        SavedObject search = SavedSearch.of("fleetrec-search-authentication", "Authentication events")
                .on(view).where("event.category:authentication")
                .columns("host.name", "event.action", "event.outcome", "user.name", "user.target.name", "source.ip",
                        "process.executable", "auth.terminal")
                .build();
        SavedObject sudoSearch = SavedSearch.of("fleetrec-search-sudo-su", "sudo and su")
                .on(view).where("process.name:(sudo or su)")
                .columns("host.name", "event.action", "event.outcome", "user.audit.name", "user.target.name",
                        "process.command_line", "auth.terminal")
                .build();
        SavedObject dashboard = Dashboard.of("fleetrec-dashboard-authentication", "[Fleet Recorder] Authentication")
                .describe("Logins and their failures, sudo and su sessions and the commands run through them.")
                .row(15, logins, perHost)
                .row(18, failures)
                .row(18, sudoSessions, sudoCommands)
                .row(18, search)
                .build();
        return List.of(logins, failures, perHost, sudoSessions, sudoCommands, search, sudoSearch, dashboard);
    }
}
