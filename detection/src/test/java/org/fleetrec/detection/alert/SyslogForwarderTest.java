package org.fleetrec.detection.alert;

import org.fleetrec.model.ServerTrust;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLServerSocket;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.fleetrec.detection.alert.Recording.await;
import static org.fleetrec.detection.alert.Recording.quick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Syslog to real UDP, TCP and TLS receivers; what they receive is read back with the strict RFC 5424 reader. */
class SyslogForwarderTest {
    private static final String SD_ID = "fleetrec@32473";
    private final Recording.Sink deadLetters = new Recording.Sink();
    private SyslogForwarder forwarder;

    @AfterEach
    void stop() {
        if (forwarder != null) forwarder.close();
    }

    private SyslogForwarder start(SyslogConfig.Transport transport, int port, ServerTrust trust, DeliveryLimits limits) throws IOException {
        forwarder = new SyslogForwarder(new SyslogConfig(transport, "localhost", port, Level.LOW, 4, "ingest-1", SD_ID, trust,
                Duration.ofSeconds(1), transport == SyslogConfig.Transport.UDP ? 2048 : 8192, limits), deadLetters);
        return forwarder;
    }

    private static List<Alert> alerts() {
        return List.of(SyslogFormatTest.alert("bash -i"), SyslogFormatTest.alert(Fixtures.exec("h1", "e2", SyslogFormatTest.T,
                SyslogFormatTest.FORGED)), SyslogFormatTest.alert(Fixtures.exec("h2", "e3", SyslogFormatTest.T, "id")));
    }

    /** Each received record is one alert, whole, and the forged one forged nothing. */
    private static void checkRecords(List<Alert> sent, List<byte[]> received) {
        assertEquals(sent.size(), received.size(), "one record an alert, no more");
        for (int i = 0; i < sent.size(); i++) {
            Rfc5424.Message m = Rfc5424.parse(received.get(i));
            assertEquals(4 * 8 + 3, m.pri());
            assertEquals("ingest-1", m.hostname());
            assertEquals(1, m.structuredData().size());
            assertEquals(sent.get(i).id(), m.structuredData().get(SD_ID).get("alert_id"));
            assertEquals(AlertText.safe((String) sent.get(i).context().get("process.command_line"), 1024),
                    m.structuredData().get(SD_ID).get("command_line"));
        }
        assertEquals("\"]\\x0a<13>1 forged", Rfc5424.parse(received.get(1)).structuredData().get(SD_ID).get("command_line"));
    }

    @Test
    void udpSendsOneDatagramAnAlert() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            receiver.setSoTimeout(5000);
            start(SyslogConfig.Transport.UDP, receiver.getLocalPort(), null, quick(10, 3));
            List<Alert> sent = alerts();
            sent.forEach(forwarder::forward);
            List<byte[]> received = new ArrayList<>();
            byte[] buffer = new byte[65_536];
            for (int i = 0; i < sent.size(); i++) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                receiver.receive(packet);
                received.add(Arrays.copyOf(packet.getData(), packet.getLength()));
            }
            receiver.setSoTimeout(300);
            DatagramPacket extra = new DatagramPacket(buffer, buffer.length);
            try {
                receiver.receive(extra);
                throw new AssertionError("a datagram more than alerts sent: " + new String(extra.getData(), 0, extra.getLength()));
            } catch (SocketTimeoutException expected) {
                // nothing else came
            }
            checkRecords(sent, received);
            await("counts", Duration.ofSeconds(2), () -> forwarder.stats().sent() == 3);
        }
    }

    @Test
    void tcpFramesByOctetCounting() throws Exception {
        try (ServerSocket receiver = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> stream = CompletableFuture.supplyAsync(() -> readAll(receiver));
            start(SyslogConfig.Transport.TCP, receiver.getLocalPort(), null, quick(10, 3));
            List<Alert> sent = alerts();
            sent.forEach(forwarder::forward);
            await("sent", Duration.ofSeconds(5), () -> forwarder.stats().sent() == 3);
            forwarder.close();
            byte[] bytes = stream.get(5, TimeUnit.SECONDS);
            checkRecords(sent, Rfc5424.frames(new ByteArrayInputStream(bytes)));
        }
    }

    @Test
    void tlsTrustsTheConfiguredCaAndFramesTheSameWay() throws Exception {
        TestCertificate certificate = TestCertificate.shared();
        try (ServerSocket receiver = certificate.serverContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertTrue(receiver instanceof SSLServerSocket);
            CompletableFuture<byte[]> stream = CompletableFuture.supplyAsync(() -> readAll(receiver));
            start(SyslogConfig.Transport.TLS, receiver.getLocalPort(), new ServerTrust(certificate.pem(), null), quick(10, 3));
            List<Alert> sent = alerts();
            sent.forEach(forwarder::forward);
            await("sent", Duration.ofSeconds(10), () -> forwarder.stats().sent() == 3);
            forwarder.close();
            checkRecords(sent, Rfc5424.frames(new ByteArrayInputStream(stream.get(5, TimeUnit.SECONDS))));
        }
    }

    @Test
    void tlsRefusesAServerItDoesNotTrust() throws Exception {
        TestCertificate certificate = TestCertificate.shared();
        try (ServerSocket receiver = certificate.serverContext().getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 2; i++) readAll(receiver);
            });
            start(SyslogConfig.Transport.TLS, receiver.getLocalPort(), ServerTrust.system(), quick(10, 2))
                    .forward(alerts().get(0));
            await("dead letter", Duration.ofSeconds(10), () -> deadLetters.letters.size() == 1);
            assertEquals(0, forwarder.stats().sent());
            assertTrue(deadLetters.letters.get(0).reason().contains("SSL") || deadLetters.letters.get(0).reason().contains("certification"),
                    deadLetters.letters.get(0).reason());
        }
    }

    @Test
    void aClosedPortIsRetriedThenDeadLettered() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        start(SyslogConfig.Transport.TCP, port, null, quick(10, 3)).forward(alerts().get(0));
        await("dead letter", Duration.ofSeconds(10), () -> deadLetters.letters.size() == 1);
        assertEquals("syslog", deadLetters.letters.get(0).output());
        assertTrue(deadLetters.letters.get(0).reason().contains("refused"), deadLetters.letters.get(0).reason());
        assertEquals(new ForwarderStats(0, 0, 2, 1, 0), forwarder.stats());
    }

    /** A receiver that drops the connection is reconnected to; syslog has no acknowledgement, so one message may be lost. */
    @Test
    void aDroppedConnectionIsOpenedAgain() throws Exception {
        try (ServerSocket receiver = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<List<byte[]>> connections = CompletableFuture.supplyAsync(() -> {
                List<byte[]> firstFrames = new ArrayList<>();
                try {
                    try (Socket first = receiver.accept()) {
                        firstFrames.add(oneFrame(first.getInputStream()));
                    }
                    try (Socket second = receiver.accept()) {
                        firstFrames.add(oneFrame(second.getInputStream()));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return firstFrames;
            });
            start(SyslogConfig.Transport.TCP, receiver.getLocalPort(), null, quick(100, 3));
            for (int i = 0; i < 50 && !connections.isDone(); i++) {
                forwarder.forward(SyslogFormatTest.alert(Fixtures.exec("h1", "e" + i, SyslogFormatTest.T, "n" + i)));
                Thread.sleep(50);
            }
            List<byte[]> frames = connections.get(5, TimeUnit.SECONDS);
            assertEquals("n0", Rfc5424.parse(frames.get(0)).structuredData().get(SD_ID).get("command_line"));
            String later = Rfc5424.parse(frames.get(1)).structuredData().get(SD_ID).get("command_line");
            assertTrue(later.matches("n[1-9]\\d*"), later);
        }
    }

    /** A receiver that accepts and never reads fills the socket buffers; the write timeout frees the sender and the caller never waits. */
    @Test
    void aReceiverThatStopsReadingNeverHoldsTheSenderForGood() throws Exception {
        try (ServerSocket receiver = new ServerSocket()) {
            receiver.setReceiveBufferSize(4096);
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            List<Socket> held = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) held.add(receiver.accept());
                } catch (IOException e) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int alerts = 6000;
            start(SyslogConfig.Transport.TCP, receiver.getLocalPort(), null, quick(alerts, 1));
            String line = "x".repeat(1000);
            long started = System.nanoTime();
            for (int i = 0; i < alerts; i++) {
                forwarder.forward(SyslogFormatTest.alert(Fixtures.exec("h1", "e" + i, SyslogFormatTest.T, line)));
            }
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5), "the caller queued without waiting");
            await("every alert sent or dead-lettered", Duration.ofSeconds(60),
                    () -> forwarder.stats().sent() + forwarder.stats().deadLettered() == alerts);
            assertTrue(forwarder.stats().deadLettered() >= 1, "a write blocked and was cut: " + forwarder.stats());
            assertTrue(deadLetters.letters.get(0).reason().contains("Socket closed")
                    || deadLetters.letters.get(0).reason().toLowerCase().contains("closed"), deadLetters.letters.get(0).reason());
            for (Socket s : held) s.close();
        }
    }

    private static byte[] oneFrame(InputStream in) throws IOException {
        StringBuilder length = new StringBuilder();
        for (int b = in.read(); b != ' '; b = in.read()) {
            if (b < 0) throw new IOException("closed inside a frame length");
            length.append((char) b);
        }
        return in.readNBytes(Integer.parseInt(length.toString()));
    }

    private static byte[] readAll(ServerSocket receiver) {
        try (Socket socket = receiver.accept()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
