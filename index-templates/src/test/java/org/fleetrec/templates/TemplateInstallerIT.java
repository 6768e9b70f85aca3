package org.fleetrec.templates;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.mapping.Property;
import org.fleetrec.model.Dataset;
import org.fleetrec.model.EventCodec;
import org.fleetrec.stack.testing.ElasticsearchExtension;
import org.fleetrec.stack.testing.TestElasticsearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.StringReader;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(ElasticsearchExtension.class)
class TemplateInstallerIT {
    private static ElasticsearchClient client;

    @BeforeAll
    static void connect(TestElasticsearch es) {
        client = ElasticsearchClients.create(new ElasticsearchSettings(es.url(), null, es.username(), es.password(), null));
    }

    @AfterAll
    static void close() {
        ElasticsearchClients.close(client);
    }

    @Test
    void installsOnceThenLeavesCurrentTemplatesAlone() throws Exception {
        int total = TemplateSet.componentTemplates().size() + TemplateSet.indexTemplates().size();
        TemplateInstaller installer = new TemplateInstaller(client);
        installer.install();
        assertTrue(installer.installed());
        TemplateInstaller.Result again = installer.install();
        assertEquals(new TemplateInstaller.Result(0, total, 0), again);

        // An older version on the cluster is upgraded; a newer one is never downgraded.
        String name = TemplateSet.indexTemplate(Dataset.DNS);
        var older = TemplateSet.indexTemplates().get(name).put("version", TemplateSet.VERSION - 1);
        client.indices().putIndexTemplate(b -> b.name(name).withJson(new StringReader(older.toString())));
        assertFalse(installer.installed());
        assertEquals(1, installer.install().installed());
        var newer = TemplateSet.indexTemplates().get(name).put("version", TemplateSet.VERSION + 1);
        client.indices().putIndexTemplate(b -> b.name(name).withJson(new StringReader(newer.toString())));
        assertEquals(1, installer.install().newerOnCluster());
    }

    /** An index made under the older template takes a field the new version added, without waiting for a new index. */
    @Test
    void anUpgradeReachesIndicesThatAlreadyExist() throws Exception {
        TemplateInstaller installer = new TemplateInstaller(client);
        installer.install();
        String name = "fleet-agents";
        var older = TemplateSet.indexTemplates().get(name).put("version", TemplateSet.VERSION - 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) older.path("template").path("mappings").path("properties")).remove("enrolled_with");
        client.indices().putIndexTemplate(b -> b.name(name).withJson(new StringReader(older.toString())));
        client.indices().delete(d -> d.index(name).ignoreUnavailable(true));
        client.indices().create(c -> c.index(name));
        var doc = EventCodec.mapper().readTree("{\"agent_id\":\"a1\",\"enrolled_with\":\"s1\"}");
        assertThrows(ElasticsearchException.class, () -> client.index(i -> i.index(name).id("a1").document(doc)),
                "the old strict mapping refuses the new field");
        assertEquals(1, installer.install().installed());
        client.index(i -> i.index(name).id("a1").document(doc));
    }

    @Test
    void eventIndicesGetTheEcsTypes() throws Exception {
        new TemplateInstaller(client).install();
        String index = "fleet-events-network-2026.01.01";
        var doc = EventCodec.mapper().readTree("""
                {"@timestamp":"2026-01-01T00:00:00Z","source":{"ip":"10.0.0.1","port":5},
                 "destination":{"ip":"fe80::1","port":443},"network":{"community_id":"1:abc"},
                 "process":{"pid":7,"command_line":"curl http://x"},"event":{"sequence":1}}""");
        client.index(i -> i.index(index).id("1").document(doc));
        Map<String, Property> properties = client.indices().getMapping(m -> m.index(index)).get(index).mappings().properties();
        assertTrue(properties.get("source").object().properties().get("ip").isIp());
        assertTrue(properties.get("process").object().properties().get("pid").isLong());
        Property commandLine = properties.get("process").object().properties().get("command_line");
        assertTrue(commandLine.isKeyword());
        assertTrue(commandLine.keyword().fields().get("text").isText());
        assertTrue(properties.get("network").object().properties().get("community_id").isKeyword());

        var bad = EventCodec.mapper().readTree("{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"source\":{\"ip\":\"not an address\"}}");
        assertThrows(ElasticsearchException.class, () -> client.index(i -> i.index(index).id("2").document(bad)));
    }

    /** Alerts: ids and names are keywords, times dates, command lines searchable by word, nothing unnamed taken. */
    @Test
    void alertIndicesAreTypedAndStrict() throws Exception {
        new TemplateInstaller(client).install();
        String index = org.fleetrec.model.IndexNames.alerts(java.time.Instant.parse("2026-01-01T00:10:00Z"));
        assertEquals("fleet-alerts-2026.01.01", index);
        var doc = EventCodec.mapper().readTree("""
                {"@timestamp":"2026-01-01T00:10:00Z","event":{"kind":"alert","severity":73},
                 "rule":{"id":"r1","name":"Reverse shell","level":"high","tags":["attack.t1059.004"]},
                 "threat":{"technique":{"id":["T1059"],"subtechnique":{"id":["T1059.004"]}}},
                 "host":{"id":"h1"},"process":{"pid":7,"command_line":"bash -i","parent":{"command_line":"sshd"}},
                 "source":{"ip":"10.0.0.1"},
                 "fleet":{"alert":{"id":"a1","status":"open","count":3,"first_seen":"2026-01-01T00:10:00Z",
                  "event":{"index":"fleet-events-process-2026.01.01","id":"ag:1","ids":["ag:1","ag:2"]}}}}""");
        client.index(i -> i.index(index).id("a1").document(doc));
        Map<String, Property> properties = client.indices().getMapping(m -> m.index(index)).get(index).mappings().properties();
        var alert = properties.get("fleet").object().properties().get("alert").object().properties();
        assertTrue(alert.get("id").isKeyword());
        assertTrue(alert.get("count").isLong());
        assertTrue(alert.get("first_seen").isDate());
        assertTrue(properties.get("rule").object().properties().get("id").isKeyword());
        assertTrue(properties.get("source").object().properties().get("ip").isIp());
        Property commandLine = properties.get("process").object().properties().get("command_line");
        assertTrue(commandLine.isKeyword());
        assertTrue(commandLine.keyword().fields().get("text").isText());

        var unknown = EventCodec.mapper().readTree("{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"rule\":{\"surprise\":1}}");
        assertThrows(ElasticsearchException.class, () -> client.index(i -> i.index(index).id("a2").document(unknown)));
    }

    @Test
    void credentialIndicesAreStrict() throws Exception {
        new TemplateInstaller(client).install();
        var unknownField = EventCodec.mapper().readTree("{\"token_hash\":\"x\",\"surprise\":1}");
        assertThrows(ElasticsearchException.class,
                () -> client.index(i -> i.index("fleet-agents").id("x").document(unknownField)));
    }
}
