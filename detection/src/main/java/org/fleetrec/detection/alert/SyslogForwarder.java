package org.fleetrec.detection.alert;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends alerts to a syslog receiver as RFC 5424 messages ({@link SyslogFormat}): over UDP one
 * datagram each (RFC 5426), over TCP or TLS framed by octet counting ({@code LEN SP MSG}, RFC 6587
 * §3.4.1 and RFC 5425), which, unlike newline framing, no byte of a message can break.
 *
 * <p>A connection is opened on first use and again after any failure; a write that does not finish
 * within the timeout has its socket closed under it, since a socket write itself has no timeout and a
 * receiver that stopped reading would otherwise hold the sender thread for good. Syslog has no
 * acknowledgement: a message written just before a receiver dies can be lost without notice (over UDP,
 * any message can).
 */
public final class SyslogForwarder implements AlertForwarder {
    public static final String NAME = "syslog";

    private final SyslogConfig config;
    private final SyslogFormat format;
    private final SSLContext tls;
    private final ScheduledExecutorService watchdog;
    private final DeliveryQueue queue;
    /** Touched by the queue's sender thread only. */
    private Link link;

    public SyslogForwarder(SyslogConfig config, DeadLetterSink deadLetters) throws IOException {
        this.config = config;
        this.format = new SyslogFormat(config.facility(), config.hostname(), config.sdId(), config.maxBytes());
        try {
            this.tls = config.transport() == SyslogConfig.Transport.TLS ? config.trust().sslContext() : null;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS trust for syslog: " + e.getMessage(), e);
        }
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "alert-syslog-watchdog");
            t.setDaemon(true);
            return t;
        });
        this.queue = new DeliveryQueue(NAME, this::send, config.delivery(), deadLetters);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void forward(Alert alert) {
        queue.offer(alert);
    }

    @Override
    public ForwarderStats stats() {
        return queue.stats();
    }

    @Override
    public void close() {
        queue.close();
        closeLink();
        watchdog.shutdownNow();
    }

    private DeliveryQueue.Attempt send(Alert alert) {
        byte[] message = format.format(alert);
        try {
            if (link == null) link = config.transport() == SyslogConfig.Transport.UDP ? new UdpLink() : new StreamLink();
            link.send(message);
            return DeliveryQueue.Attempt.delivered();
        } catch (IOException e) {
            closeLink();
            return DeliveryQueue.Attempt.retry("syslog " + config.transport() + " to " + config.host() + ":" + config.port()
                    + " failed: " + e, null);
        }
    }

    private void closeLink() {
        if (link == null) return;
        try {
            link.close();
        } catch (IOException e) {
            // already broken; a new one is opened for the next message
        }
        link = null;
    }

    private interface Link extends Closeable {
        void send(byte[] message) throws IOException;
    }

    private final class UdpLink implements Link {
        private final DatagramSocket socket = new DatagramSocket();
        private final InetSocketAddress target = new InetSocketAddress(config.host(), config.port());

        UdpLink() throws IOException {
            if (target.isUnresolved()) {
                socket.close();
                throw new IOException("cannot resolve " + config.host());
            }
        }

        @Override
        public void send(byte[] message) throws IOException {
            socket.send(new DatagramPacket(message, message.length, target));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private final class StreamLink implements Link {
        private final Socket socket;
        private final OutputStream out;

        StreamLink() throws IOException {
            int timeout = (int) config.timeout().toMillis();
            Socket raw = new Socket();
            try {
                raw.connect(new InetSocketAddress(config.host(), config.port()), timeout);
                raw.setSoTimeout(timeout);
                raw.setTcpNoDelay(true);
                raw.setKeepAlive(true);
                if (tls != null) {
                    SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(raw, config.host(), config.port(), true);
                    SSLParameters parameters = secure.getSSLParameters();
                    // The certificate must name the host we were told, as for https.
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    secure.setSSLParameters(parameters);
                    secure.startHandshake();
                    socket = secure;
                } else {
                    socket = raw;
                }
                out = socket.getOutputStream();
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }

        @Override
        public void send(byte[] message) throws IOException {
            byte[] length = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
            byte[] frame = new byte[length.length + message.length];
            System.arraycopy(length, 0, frame, 0, length.length);
            System.arraycopy(message, 0, frame, length.length, message.length);
            ScheduledFuture<?> guard = watchdog.schedule(this::closeQuietly, config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            try {
                out.write(frame);
                out.flush();
            } finally {
                guard.cancel(false);
            }
        }

        private void closeQuietly() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing to unblock a stuck write; nothing else to do
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
