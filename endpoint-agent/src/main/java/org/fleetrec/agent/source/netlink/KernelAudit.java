package org.fleetrec.agent.source.netlink;

import org.fleetrec.agent.audit.RecordTypes;
import org.fleetrec.agent.audit.rule.AuditRuleData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjIntConsumer;

/**
 * Kernel audit capture for the agent: installs our rules and streams every audit record to a sink, talking
 * to the kernel only over NETLINK_AUDIT (no auditctl, no auditd).
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code netlink-unicast}: no live audit daemon is registered, so we register the capture socket
 *       (AUDIT_SET pid, sent from that socket: the kernel delivers to the port that registered). We then
 *       get every record, reliably (the kernel queues up to backlog_limit for us).</li>
 *   <li>{@code netlink-multicast}: auditd (or similar) owns the unicast stream; we join the read-only
 *       multicast group AUDIT_NLGRP_READLOG instead and never touch its registration. Best effort: if our
 *       socket buffer overflows the datagrams are lost, counted in {@link #overruns()}.</li>
 * </ul>
 *
 * <p>Order at start matters so the kernel log is not flooded with records nobody reads: register/join,
 * then tune, then remove stale rules, then add ours. {@link #close()} undoes it in reverse while still
 * registered, so the rule-deletion records also reach us and not printk.
 *
 * <p>The capture thread only receives and calls the sink; the sink must not block (hand records to a
 * bounded queue and count drops). Sink exceptions are counted and logged, never fatal.
 */
public final class KernelAudit implements AutoCloseable {
    public static final String MODE_UNICAST = "netlink-unicast";
    public static final String MODE_MULTICAST = "netlink-multicast";

    private static final Logger LOG = LoggerFactory.getLogger(KernelAudit.class);
    private static final int AUDIT_NLGRP_READLOG = 1;
    private static final int RECEIVE_BUFFER_BYTES = 8 << 20;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int ERRNO_EEXIST = 17;

    private final AuditNetlink control;
    private final AuditStatus initial;
    private final ObjIntConsumer<String> sink;
    private final List<AuditRuleData> added = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sinkFailures = new AtomicLong();
    private NetlinkSocket capture;
    private String mode;
    private AuditStatusUpdate restore = AuditStatusUpdate.none();
    private Path savedSettings;
    private boolean registered;
    private Thread thread;
    private Thread shutdownHook;
    private volatile boolean running;
    private boolean closed;
    private final Object socketLock = new Object();
    private boolean captureExited;
    private boolean closeDeferred;

    private KernelAudit(AuditNetlink control, AuditStatus initial, ObjIntConsumer<String> sink) {
        this.control = control;
        this.initial = initial;
        this.sink = sink;
    }

    /**
     * Starts capture. {@code recordSink.accept(text, type)} is called on the "audit-capture" thread for
     * every record ({@code type} 1100..2999, {@code text} like {@code audit(1700000000.123:45): ...}); the
     * few records that arrive while registering (before the thread exists) are delivered on the caller's
     * thread, so the sink must be thread-safe (a concurrent queue is).
     * On failure everything done so far is undone before the exception is thrown.
     */
    public static KernelAudit start(KernelAuditConfig config, ObjIntConsumer<String> recordSink) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(recordSink, "recordSink");
        AuditNetlink control = AuditNetlink.open();
        KernelAudit ka;
        try {
            AuditStatus live = control.status();
            // After a crash the kernel shows our own settings; what we found is in the saved file.
            AuditStatus before = SavedSettings.read(config.savedSettings()).map(saved -> saved.over(live)).orElse(live);
            if (before.locked()) {
                throw new IOException("kernel audit configuration is locked (enabled=2); rules cannot be changed "
                        + "until reboot");
            }
            ka = new KernelAudit(control, before, recordSink);
            ka.savedSettings = config.savedSettings();
        } catch (IOException | RuntimeException e) {
            control.close();
            throw e;
        }
        try {
            if (config.savedSettings() != null) SavedSettings.of(ka.initial).write(config.savedSettings());
            ka.connect();
            ka.tune(config);
            ka.installRules(config);
            ka.startThread();
            return ka;
        } catch (IOException | RuntimeException e) {
            ka.close();
            throw e;
        }
    }

    private void connect() throws IOException {
        boolean daemonAlive = initial.pid() != 0 && Files.exists(Path.of("/proc", Integer.toString(initial.pid())));
        if (!daemonAlive) {
            NetlinkSocket s = openCapture(0);
            try {
                // Must come from the capture socket: the kernel remembers the sender's port.
                AuditNetlink.over(s, this::deliver).set(AuditStatusUpdate.none()
                        .pid((int) ProcessHandle.current().pid()).enabled(1));
                capture = s;
                mode = MODE_UNICAST;
                registered = true;
                if (initial.enabled() != 1) {
                    restore = restore.enabled(initial.enabled());
                }
                LOG.info("kernel audit: registered as audit daemon (port {}), previous pid {}", s.portId(),
                        initial.pid());
                return;
            } catch (NetlinkErrorException e) {
                s.close();
                if (e.errno() != ERRNO_EEXIST) {
                    throw e;
                }
                LOG.info("kernel audit: another audit daemon registered meanwhile; falling back to multicast");
            }
        }
        capture = openCapture(AUDIT_NLGRP_READLOG);
        mode = MODE_MULTICAST;
        if (initial.enabled() == 0) {
            control.set(AuditStatusUpdate.none().enabled(1));
            restore = restore.enabled(0);
        }
        LOG.info("kernel audit: audit daemon pid {} is active; reading the multicast log group", initial.pid());
    }

    private static NetlinkSocket openCapture(int groups) throws IOException {
        NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.NETLINK_AUDIT, groups);
        try {
            if (!s.setReceiveBufferSize(RECEIVE_BUFFER_BYTES)) {
                LOG.warn("kernel audit: SO_RCVBUFFORCE refused; receive buffer capped at net.core.rmem_max");
            }
            s.setReceiveTimeout(POLL);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void tune(KernelAuditConfig config) throws IOException {
        if (MODE_MULTICAST.equals(mode)) {
            // The channel's owner (auditd) chose its backlog and rate; a guest does not retune them.
            LOG.info("kernel audit: leaving backlog {} / wait {} / rate {} as the audit daemon set them",
                    initial.backlogLimit(), initial.backlogWaitTime(), initial.rateLimit());
            return;
        }
        AuditStatusUpdate change = AuditStatusUpdate.none();
        AuditStatusUpdate undo = restore;
        if (initial.backlogLimit() != config.backlogLimit()) {
            change = change.backlogLimit(config.backlogLimit());
            undo = undo.backlogLimit(initial.backlogLimit());
        }
        if (initial.backlogWaitTime() != config.backlogWaitTime()) {
            change = change.backlogWaitTime(config.backlogWaitTime());
            undo = undo.backlogWaitTime(initial.backlogWaitTime());
        }
        if (initial.rateLimit() != config.rateLimit()) {
            change = change.rateLimit(config.rateLimit());
            undo = undo.rateLimit(initial.rateLimit());
        }
        control.set(change);
        restore = undo;
    }

    private void installRules(KernelAuditConfig config) throws IOException {
        // Rules with our key are a crashed run's only when no other daemon lives; beside one, they may
        // belong to another agent that is recording right now.
        if (MODE_UNICAST.equals(mode)) deleteWithKey(control, config.ruleKey());
        for (AuditRuleData rule : config.rules()) {
            AuditRuleData r = rule.key() == null ? rule.key(config.ruleKey()) : rule;
            if (!r.hasKey(config.ruleKey())) {
                LOG.warn("kernel audit: rule {} lacks key '{}'; a crashed run's copy would not be cleaned up",
                        r, config.ruleKey());
            }
            try {
                control.addRule(r);
                added.add(r.stored());
            } catch (NetlinkErrorException e) {
                if (e.errno() != ERRNO_EEXIST) {
                    throw e;
                }
                // Someone else (auditd) has the identical rule: it already produces what we need, and it is
                // not ours to delete at close.
                LOG.info("kernel audit: identical rule already installed by someone else: {}", r);
            }
        }
    }

    private void startThread() {
        running = true;
        thread = new Thread(this::captureLoop, "audit-capture");
        thread.setDaemon(true);
        thread.start();
        shutdownHook = new Thread(this::close, "audit-capture-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void captureLoop() {
        org.fleetrec.agent.host.ThreadPriority.boostCurrentThread();
        try {
            receiveUntilStopped(capture);
        } finally {
            synchronized (socketLock) {
                captureExited = true;
                if (closeDeferred) {
                    capture.close();
                }
            }
        }
    }

    private void receiveUntilStopped(NetlinkSocket s) {
        long consecutiveErrors = 0;
        while (running) {
            try {
                s.receive((type, flags, seq, pid, payload) -> {
                    if (RecordTypes.isRecord(type)) {
                        deliver(AuditNetlink.text(payload), type);
                    }
                });
                consecutiveErrors = 0;
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    break;
                }
                if (consecutiveErrors++ % 1000 == 0) {
                    LOG.warn("kernel audit: receive failed ({} in a row): {}", consecutiveErrors, e.getMessage());
                }
                if (consecutiveErrors > 10) {
                    // A persistently failing socket must not spin a core.
                    sleepQuietly(consecutiveErrors > 100 ? 1000 : 50);
                }
            }
        }
    }

    private void deliver(String text, int type) {
        received.incrementAndGet();
        try {
            sink.accept(text, type);
        } catch (RuntimeException e) {
            if (sinkFailures.getAndIncrement() % 10_000 == 0) {
                LOG.warn("kernel audit: record sink threw (failures so far: {})", sinkFailures.get(), e);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@value #MODE_UNICAST} or {@value #MODE_MULTICAST}. */
    public String mode() {
        return mode;
    }

    /**
     * Fresh status from the kernel (lost, backlog...). Unchecked so periodic health reporting stays simple;
     * fails with {@link UncheckedIOException} if the kernel does not answer.
     */
    public AuditStatus status() {
        try {
            return control.status();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Status as found at start. */
    public AuditStatus initialStatus() {
        return initial;
    }

    /** Datagrams our capture socket lost to ENOBUFS (multicast overflow). */
    public long overruns() {
        NetlinkSocket s = capture;
        return s == null ? 0 : s.overruns();
    }

    /** Records handed to the sink. */
    public long received() {
        return received.get();
    }

    /** Records whose sink call threw. */
    public long sinkFailures() {
        return sinkFailures.get();
    }

    /** Rules this instance added (and will delete at close). */
    public synchronized List<AuditRuleData> addedRules() {
        return List.copyOf(added);
    }

    /**
     * Deletes the rules we added, restores the enabled/backlog/rate/wait values found at start, unregisters
     * (unicast), stops the thread and closes the sockets. Idempotent; safe from a shutdown hook. Each step
     * is attempted even if an earlier one failed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = added.size() - 1; i >= 0; i--) {
            try {
                control.deleteRule(added.get(i));
            } catch (IOException | RuntimeException e) {
                LOG.warn("kernel audit: could not delete rule {}: {}", added.get(i), e.getMessage());
            }
        }
        added.clear();
        try {
            control.set(restore);
            if (savedSettings != null) Files.deleteIfExists(savedSettings);
        } catch (IOException | RuntimeException e) {
            LOG.warn("kernel audit: could not restore audit settings {}: {}", restore, e.getMessage());
        }
        if (registered) {
            try {
                control.set(AuditStatusUpdate.none().pid(0));
            } catch (IOException | RuntimeException e) {
                LOG.warn("kernel audit: could not unregister as audit daemon: {}", e.getMessage());
            }
        }
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(POLL.toMillis() * 5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (socketLock) {
            if (t == null || captureExited) {
                if (capture != null) {
                    capture.close();
                }
            } else {
                // Closing an fd another thread is reading from could hand a reused fd number to it; let the
                // capture thread close its own socket when it leaves the loop (e.g. close() from the sink).
                closeDeferred = true;
            }
        }
        control.close();
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // JVM is already shutting down; the hook will find us closed.
            }
        }
    }

    /**
     * Deletes every kernel rule carrying {@code key}, e.g. after a crashed run. Returns how many were deleted.
     */
    public static int removeRulesWithKey(String key) throws IOException {
        try (AuditNetlink nl = AuditNetlink.open()) {
            return deleteWithKey(nl, key);
        }
    }

    private static int deleteWithKey(AuditNetlink nl, String key) throws IOException {
        int n = 0;
        for (AuditRuleData r : nl.listRules()) {
            if (r.hasKey(key)) {
                nl.deleteRule(r);
                n++;
            }
        }
        if (n > 0) {
            LOG.info("kernel audit: deleted {} stale rule(s) with key '{}'", n, key);
        }
        return n;
    }
}
