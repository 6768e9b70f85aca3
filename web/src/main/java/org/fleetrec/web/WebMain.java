package org.fleetrec.web;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import org.fleetrec.templates.ElasticsearchClients;
import org.fleetrec.templates.TemplateInstaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** Starts the web server from the environment and runs until SIGTERM / Ctrl-C. */
public final class WebMain {
    private static final Logger log = LoggerFactory.getLogger(WebMain.class);

    private WebMain() {
    }

    public static void main(String[] args) throws Exception {
        WebConfig config = WebConfig.fromEnvironment(System.getenv());
        ElasticsearchClient client = ElasticsearchClients.create(config.elasticsearch());
        waitForTemplates(client);
        WebApp web = new WebApp(client);
        Optional<String> adminPassword = web.credentials().ensureAdmin(config.bootstrapAdminPassword());
        if (adminPassword.isPresent() && config.bootstrapAdminPassword() == null) {
            // Shown once, at the first start, as the only way to learn it.
            System.out.println("FLEETREC_ADMIN user=admin password=" + adminPassword.get());
        }
        if (config.bootstrapApiToken() != null) {
            web.credentials().ensureApiToken(config.bootstrapApiToken(), "bootstrap", Principal.ADMIN);
        }
        web.start(config.bindHost(), config.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            web.close();
            ElasticsearchClients.close(client);
            stopped.countDown();
        }, "shutdown"));
        System.out.println("FLEETREC_READY web http://" + config.bindHost() + ":" + web.port());
        stopped.await();
    }

    /** The web reads only what the templates define; it installs them too when it starts first. */
    private static void waitForTemplates(ElasticsearchClient client) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                new TemplateInstaller(client).install();
                return;
            } catch (Exception e) {
                if (attempt % 10 == 1) log.warn("waiting for Elasticsearch: {}", e.toString());
                Thread.sleep(2_000);
            }
        }
    }
}
