package org.fleetrec.stack.elasticsearch;

import static org.fleetrec.stack.elasticsearch.LocalElasticsearchTest.alive;
import static org.fleetrec.stack.elasticsearch.LocalElasticsearchTest.get;
import static org.fleetrec.stack.elasticsearch.LocalElasticsearchTest.uidOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * A node left running by a "crashed" run (the object is simply dropped) is stopped by the next start of the same
 * node. The work dir sits in a 0700 folder, so when we are root this also exercises the {@code /var/tmp} fallback
 * used because {@code nobody} cannot reach the work dir.
 */
class LocalElasticsearchOrphanTest {

    @Test
    void nextStartStopsTheOrphanOfTheSameNode() throws Exception {
        Path privateDir = LocalElasticsearchTest.workDir().resolve("orphan-test-private");
        Files.createDirectories(privateDir);
        Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        Path workDir = privateDir.resolve("work");
        boolean root = Posix.isRoot();

        LocalElasticsearch first = null;
        LocalElasticsearch second = null;
        try {
            first = LocalElasticsearch.start(workDir, "orphan");
            long oldPid = first.pid();
            if (root) {
                assertTrue(first.nodeDir().startsWith(Layout.FALLBACK_PARENT),
                        "nobody cannot traverse " + privateDir + ", so the node must live under /var/tmp: "
                                + first.nodeDir());
                assertEquals(65534, uidOf(oldPid));
            }
            assertTrue(Files.isRegularFile(workDir.resolve("es-orphan").resolve("pid")),
                    "the pid file stays in the work dir");
            assertEquals(200, get(first.url(), "/_cluster/health").statusCode());

            // "crash": forget the object without closing it, then start the same node again
            second = LocalElasticsearch.start(workDir, "orphan");
            assertFalse(alive(oldPid), "the orphan (pid " + oldPid + ") must have been stopped");
            assertNotEquals(oldPid, second.pid());
            HttpResponse<String> health = get(second.url(), "/_cluster/health");
            assertEquals(200, health.statusCode(), health.body());
            assertEquals(Optional.of(second.pid()), LocalElasticsearch.runningPid(workDir, "orphan"));

            // a node whose starter is another live process is not an orphan: refuse, and leave it running
            Path props = workDir.resolve("es-orphan").resolve("node.properties");
            String realProps = Files.readString(props);
            Process otherOwner = new ProcessBuilder("sleep", "300").start();
            try {
                Files.writeString(props, realProps.replaceAll("(?m)^ownerPid=.*$", "ownerPid=" + otherOwner.pid())
                        .replaceAll("(?m)^ownerStartMillis=.*$", "ownerStartMillis=0"));
                NodeInUseException inUse = assertThrows(NodeInUseException.class,
                        () -> LocalElasticsearch.start(workDir, "orphan"));
                assertEquals(second.pid(), inUse.pid());
                assertEquals(otherOwner.pid(), inUse.ownerPid());
                assertTrue(alive(second.pid()), "a node in use must not be stopped");
            } finally {
                otherOwner.destroyForcibly().waitFor();
                Files.writeString(props, realProps);
            }

            // closing the stale object must neither fail nor touch the new node
            first.close();
            assertTrue(alive(second.pid()));
            assertEquals(Optional.of(second.pid()), LocalElasticsearch.runningPid(workDir, "orphan"));

            // ./fleetrec down from "another process"
            long newPid = second.pid();
            assertTrue(LocalElasticsearch.stopRunning(workDir, "orphan"));
            assertFalse(alive(newPid));
            assertEquals(Optional.empty(), LocalElasticsearch.runningPid(workDir, "orphan"));
            assertFalse(LocalElasticsearch.stopRunning(workDir, "orphan"));
            second.close();
        } finally {
            if (first != null) {
                first.close();
            }
            if (second != null) {
                second.close();
            }
            Path nodeDir = second != null ? second.nodeDir() : first != null ? first.nodeDir() : null;
            if (nodeDir != null && nodeDir.getParent().getFileName().toString().startsWith(Layout.FALLBACK_PREFIX)) {
                ElasticsearchDistribution.deleteTree(nodeDir.getParent());
            }
            ElasticsearchDistribution.deleteTree(privateDir);
        }
    }
}
