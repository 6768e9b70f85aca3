package org.fleetrec.agent.source.line;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Wraps the caller's line sink: counts deliveries, and contains sink exceptions so reading goes on. */
final class CountingSink implements Consumer<String>, LineSink {
    private static final Logger LOG = LoggerFactory.getLogger(CountingSink.class);

    private final LineSink sink;
    private final String mode;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    CountingSink(Consumer<String> sink, String mode) {
        this(positionless(sink), mode);
    }

    CountingSink(LineSink sink, String mode) {
        this.sink = Objects.requireNonNull(sink, "lineSink");
        this.mode = mode;
    }

    private static LineSink positionless(Consumer<String> sink) {
        Objects.requireNonNull(sink, "lineSink");
        return (line, after) -> sink.accept(line);
    }

    @Override
    public void accept(String line) {
        accept(line, null);
    }

    @Override
    public void accept(String line, LogPosition after) {
        delivered.incrementAndGet();
        try {
            sink.accept(line, after);
        } catch (RuntimeException e) {
            // Logged rarely: a sink failing on every line must not turn the agent log into a copy of audit.log.
            if (failures.getAndIncrement() % 10_000 == 0) {
                LOG.warn("audit {} source: line sink threw (failures so far: {})", mode, failures.get(), e);
            }
        }
    }

    long delivered() {
        return delivered.get();
    }

    long failures() {
        return failures.get();
    }
}
