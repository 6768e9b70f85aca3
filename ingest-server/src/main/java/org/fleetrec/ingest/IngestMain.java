package org.fleetrec.ingest;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.templates.ElasticsearchClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/** Starts the ingest server from the environment and runs until SIGTERM / Ctrl-C. */
public final class IngestMain {
    private static final Logger log = LoggerFactory.getLogger(IngestMain.class);

    private IngestMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("help") || args[0].equals("--help"))) {
            System.out.print(AdminCommand.USAGE);
            return;
        }
        if (args.length > 0 && !args[0].equals("serve")) {
            System.exit(AdminCommand.run(java.util.List.of(args), System.getenv(), System.out, System.err));
            return;
        }
        IngestConfig config;
        try {
            config = IngestConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("ingest-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        ElasticsearchClient client = ElasticsearchClients.create(config.elasticsearch());
        IngestServer server = new IngestServer(config, client);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping: finishing in-flight batches");
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ElasticsearchClients.close(client);
            stopped.countDown();
        }, "shutdown"));
        System.out.println("FLEETREC_READY ingest " + server.url(config.bindHost()));
        stopped.await();
    }
}
