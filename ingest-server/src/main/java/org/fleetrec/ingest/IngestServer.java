package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import org.fleetrec.ingest.tls.ServerTls;
import org.fleetrec.model.ServerTrust;
import org.fleetrec.templates.TemplateInstaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The HTTP front of the ingest tier: accepts connections, hands requests to {@link IngestHandler}. */
public final class IngestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestServer.class);

    private final EventLoopGroup boss = new NioEventLoopGroup(1);
    private final EventLoopGroup io = new NioEventLoopGroup(2);
    private final ThreadPoolExecutor workers;
    private final Readiness readiness = new Readiness();
    private final ElasticsearchClient client;
    private final Thread templateKeeper;
    private final IndexRetention retention;
    private final ServerTls.Loaded tls;
    private final BulkWriter bulk;
    /** Null when detection is off. */
    private final LiveDetection detection;
    /** Done once {@link #keepTemplatesInstalled} has installed the templates: detection's catalogue waits for it. */
    private final java.util.concurrent.CompletableFuture<Void> templatesInstalled = new java.util.concurrent.CompletableFuture<>();
    private final String scheme;
    private Channel channel;

    public IngestServer(IngestConfig config, ElasticsearchClient client) throws InterruptedException, IOException {
        this.client = client;
        this.tls = config.tls().load(config.bindHost());
        this.scheme = config.tls().scheme();
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        // A bounded queue: when it is full, agents get 429 and retry instead of the heap filling up.
        this.workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
                r -> {
                    Thread t = new Thread(r, "ingest-worker");
                    t.setDaemon(true);
                    return t;
                });
        IngestMetrics metrics = new IngestMetrics();
        this.bulk = new BulkWriter(client, metrics, BulkWriter.Limits.defaults());
        this.detection = LiveDetection.start(config.detection(), client, metrics, templatesInstalled);
        this.retention = new IndexRetention(client, config.retentionDays(), config.alertRetentionDays());
        IngestHandler handler = new IngestHandler(config, new AgentRegistry(client, config.authCache()),
                new EnrollmentSecrets(client, config.authCache()), new EventWriter(bulk, new HostDirectory(client, java.time.Duration.ofSeconds(30)), metrics, detection),
                metrics, readiness, workers);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 512)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) ch.pipeline().addLast(tls.context().newHandler(ch.alloc()));
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, 120))
                                .addLast(new IdleCloser())
                                .addLast(new HttpServerCodec(8192, 16384, 16384))
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new HttpObjectAggregator(config.maxBodyBytes()))
                                .addLast(handler);
                    }
                });
        channel = bootstrap.bind(new InetSocketAddress(config.bindHost(), config.port())).sync().channel();
        templateKeeper = new Thread(this::keepTemplatesInstalled, "template-installer");
        templateKeeper.setDaemon(true);
        templateKeeper.start();
        log.info("ingest server listening on {}", url(config.bindHost()));
        if (tls != null) {
            log.info("TLS certificate {} (sha256:{})", tls.certificate(), ServerTrust.fingerprint(tls.certificate()));
        }
    }

    /** Detection on the live stream, or null when it is off. */
    LiveDetection detection() {
        return detection;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** How clients reach this server on {@code host}. */
    public java.net.URI url(String host) {
        return java.net.URI.create(scheme + "://" + host + ":" + port());
    }

    /** The certificate served over TLS (a client's CA file for a development certificate), or null for plain HTTP. */
    public java.nio.file.Path certificate() {
        return tls == null ? null : tls.certificate();
    }

    /** Installs templates at start, then keeps checking, so readiness follows the cluster. */
    private void keepTemplatesInstalled() {
        TemplateInstaller installer = new TemplateInstaller(client);
        boolean installed = false;
        long nextRetention = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (!installed) {
                    installer.install();
                    installed = true;
                    templatesInstalled.complete(null);
                }
                var health = client.cluster().health(h -> h.timeout(t -> t.time("5s")));
                if (health.status() == co.elastic.clients.elasticsearch._types.HealthStatus.Red) {
                    readiness.ready(false, "Elasticsearch cluster health is red");
                } else {
                    readiness.ready(true, null);
                    if (System.nanoTime() - nextRetention >= 0) {
                        nextRetention = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
                        try {
                            retention.run();
                        } catch (Exception e) {
                            log.warn("retention did not run; next try in an hour: {}", e.toString());
                        }
                    }
                }
            } catch (Exception e) {
                readiness.ready(false, (installed ? "Elasticsearch unreachable: " : "could not install the index templates in Elasticsearch: ") + e);
                log.warn("Elasticsearch not ready: {}", e.toString());
            }
            try {
                Thread.sleep(installed && readiness.ready() ? 15_000 : 2_000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops accepting, lets in-flight batches finish, then releases the threads. */
    @Override
    public void close() throws InterruptedException {
        templateKeeper.interrupt();
        channel.close().sync();
        workers.shutdown();
        if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
            log.warn("in-flight batches did not finish within 60 s");
        }
        bulk.close();
        if (detection != null) detection.close();
        io.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }

    private static final class IdleCloser extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, event);
            }
        }
    }
}
