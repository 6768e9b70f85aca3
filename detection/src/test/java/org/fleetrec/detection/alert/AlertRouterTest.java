package org.fleetrec.detection.alert;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.fleetrec.detection.alert.Recording.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each output gets the levels it asked for, from a router started from configuration, with real receivers. */
class AlertRouterTest {
    private static Alert alert(Level level, String entity) {
        RuleRef rule = new RuleRef("rule-" + level.id(), "A " + level.id() + " rule", level, List.of());
        return Alert.open(Fixtures.match(rule, Fixtures.exec("h1", entity, Instant.parse("2026-03-04T10:00:00Z"), "x"), "a:" + entity),
                Duration.ofMinutes(10), Instant.parse("2026-03-04T10:00:01Z"));
    }

    @Test
    void eachOutputGetsTheLevelsItAskedFor() throws Exception {
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> hookRules = new CopyOnWriteArrayList<>();
        hook.createContext("/", exchange -> {
            hookRules.add(org.fleetrec.model.EventCodec.mapper().readTree(exchange.getRequestBody()).path("rule").path("id").asText());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        try (DatagramSocket syslog = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            ForwardingConfig config = ForwardingConfig.fromEnvironment(Map.of(
                    "FLEETREC_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + hook.getAddress().getPort() + "/",
                    "FLEETREC_ALERT_WEBHOOK_MIN_LEVEL", "high",
                    "FLEETREC_ALERT_SYSLOG_URL", "udp://127.0.0.1:" + syslog.getLocalPort(),
                    "FLEETREC_ALERT_SYSLOG_MIN_LEVEL", "low"));
            try (AlertRouter router = AlertRouter.start(config, DeadLetterSink.NONE)) {
                int i = 0;
                for (Level level : Level.values()) {
                    List<String> outputs = router.forward(alert(level, "e" + i++));
                    List<String> expected = level.atLeast(Level.HIGH) ? List.of("webhook", "syslog")
                            : level.atLeast(Level.LOW) ? List.of("syslog") : List.of();
                    assertEquals(expected, outputs, level.id());
                }
                await("webhook deliveries", Duration.ofSeconds(10), () -> hookRules.size() == 2);
                assertEquals(List.of("rule-high", "rule-critical"), hookRules);
                syslog.setSoTimeout(5000);
                List<Integer> severities = new java.util.ArrayList<>();
                for (int n = 0; n < 4; n++) {
                    byte[] buffer = new byte[65_536];
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    syslog.receive(packet);
                    severities.add(Rfc5424.parse(java.util.Arrays.copyOf(buffer, packet.getLength())).severity());
                }
                assertEquals(List.of(5, 4, 3, 2), severities, "low, medium, high, critical as syslog severities");
                await("stats", Duration.ofSeconds(5),
                        () -> router.stats().get("syslog").sent() == 4 && router.stats().get("webhook").sent() == 2);
            }
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void noOutputsConfiguredForwardsNowhere() throws Exception {
        try (AlertRouter router = AlertRouter.start(ForwardingConfig.none(), null)) {
            assertEquals(List.of(), router.forward(alert(Level.CRITICAL, "e1")));
            assertEquals(Map.of(), router.stats());
        }
    }
}
