package org.fleetrec.agent.source.windows;

import org.fleetrec.agent.sysmon.SysmonTestData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** Real Sysmon event XML from the shared data, one string per event, read in place. */
public final class SysmonSamples {
    private SysmonSamples() {
    }

    /** Section B4: four events as Windows' EvtRender wrote them (records 32, 30, 23, 20; EIDs 2, 5, 3, 3). */
    public static List<String> windowsRendered() {
        return events("windows-sysmon/windows-rendered-xml/beats-sysmon-9.01.EXCERPT-records-32-30-23-20.xml");
    }

    /**
     * Section B5: 93 Sysmon for Linux events as syslog carried them, some with its broken entities
     * ({@code &lt }, {@code &quot } without the ';'), and the eighth cut off by the syslog line limit.
     */
    public static List<String> sysmonForLinux() {
        return events("sysmon-linux/otrf-log4shell/sysmon_linux_events.DERIVED.xml");
    }

    /** The events of {@link #sysmonForLinux()} that syslog did not cut off (92). */
    public static List<String> sysmonForLinuxWhole() {
        return sysmonForLinux().stream().filter(e -> e.endsWith("</Event>")).toList();
    }

    /** The one event of {@link #sysmonForLinux()} that syslog cut off: real malformed XML. */
    public static String sysmonForLinuxCutOff() {
        List<String> cut = sysmonForLinux().stream().filter(e -> !e.endsWith("</Event>")).toList();
        if (cut.size() != 1) throw new IllegalStateException("expected one cut-off event in section B5, found " + cut.size());
        return cut.get(0);
    }

    private static List<String> events(String relative) {
        try {
            return Files.readAllLines(SysmonTestData.shared(relative)).stream()
                    .map(String::strip)
                    .filter(line -> line.startsWith("<Event>") || line.startsWith("<Event "))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
