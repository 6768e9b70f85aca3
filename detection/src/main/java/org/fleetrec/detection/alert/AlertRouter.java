package org.fleetrec.detection.alert;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each new alert to every output whose minimum level it reaches: a chat hook may want only
 * high and critical, a SIEM everything from low. Only new alerts are forwarded; repeats grow the
 * alert's document, they do not notify again.
 */
public final class AlertRouter implements AutoCloseable {
    /** One output and the lowest level it gets. */
    public record Route(Level minimum, AlertForwarder forwarder) {
    }

    private final List<Route> routes;

    public AlertRouter(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /**
     * Starts the outputs {@code config} names. Undeliverable alerts go to {@code deadLetters}, or, when
     * it is null, to the configured dead-letter file (or nowhere but the counts and the log).
     */
    public static AlertRouter start(ForwardingConfig config, DeadLetterSink deadLetters) throws IOException {
        DeadLetterSink sink = deadLetters != null ? deadLetters
                : config.deadLetterFile() != null ? new DeadLetterFile(config.deadLetterFile(), config.deadLetterMaxBytes())
                : DeadLetterSink.NONE;
        List<Route> routes = new ArrayList<>();
        try {
            if (config.webhook() != null) {
                routes.add(new Route(config.webhook().minimum(), new WebhookForwarder(config.webhook(), sink)));
            }
            if (config.syslog() != null) {
                routes.add(new Route(config.syslog().minimum(), new SyslogForwarder(config.syslog(), sink)));
            }
        } catch (IOException | RuntimeException e) {
            routes.forEach(r -> r.forwarder().close());
            throw e;
        }
        return new AlertRouter(routes);
    }

    /** Hands the alert to every output it is for; never waits for a receiver. Returns their names. */
    public List<String> forward(Alert alert) {
        List<String> outputs = new ArrayList<>(routes.size());
        for (Route route : routes) {
            if (alert.level().atLeast(route.minimum())) {
                route.forwarder().forward(alert);
                outputs.add(route.forwarder().name());
            }
        }
        return outputs;
    }

    public Map<String, ForwarderStats> stats() {
        Map<String, ForwarderStats> stats = new LinkedHashMap<>();
        routes.forEach(r -> stats.put(r.forwarder().name(), r.forwarder().stats()));
        return stats;
    }

    @Override
    public void close() {
        routes.forEach(r -> r.forwarder().close());
    }
}
