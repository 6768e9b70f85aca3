package org.fleetrec.detection.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The rule made of a command-and-control address list: a connection made to a listed address
 * (egress: the destination) or accepted from one (ingress: the source), on Linux and Windows
 * alike. Its id is derived from the list's file name, so a reloaded list, even with other
 * addresses, keeps the rule's id and with it whether the rule is enabled.
 */
final class C2Rule {
    private static final String ID_NAMESPACE = "fleetrec:c2-addresses:";
    private static final YAMLMapper YAML = new YAMLMapper();

    private C2Rule() {
    }

    static String id(String listName) {
        return UUID.nameUUIDFromBytes((ID_NAMESPACE + listName).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static RuleSource source(AddressList list) {
        ObjectNode rule = YAML.createObjectNode();
        rule.put("title", "Connection With a Listed Command-and-Control Address");
        rule.put("id", id(list.name()));
        rule.put("status", "stable");
        rule.put("description", "A connection to or from an address of the list " + list.name() + " (" + list.networks().size()
                + " entries), given by FLEETREC_C2_ADDRESSES. Egress connections are matched on their destination, "
                + "ingress ones on their source.");
        rule.put("author", "Fleet Recorder");
        rule.putArray("tags").add("attack.command-and-control").add("attack.t1071");
        rule.putObject("logsource").put("category", "network_connection");
        ObjectNode detection = rule.putObject("detection");
        ObjectNode egress = detection.putObject("egress");
        egress.put("Initiated", "true");
        addresses(egress.putArray("DestinationIp|cidr"), list);
        ObjectNode ingress = detection.putObject("ingress");
        ingress.put("Initiated", "false");
        addresses(ingress.putArray("SourceIp|cidr"), list);
        detection.put("condition", "egress or ingress");
        rule.putArray("falsepositives").add("Stale entries: addresses reassigned since they were listed")
                .add("Shared hosting and CDN addresses on the list");
        rule.put("level", "high");
        try {
            return new RuleSource(ShippedRules.ORIGIN, "c2-addresses/" + list.name(), YAML.writeValueAsString(rule));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("address list rule not writable", e);
        }
    }

    private static void addresses(ArrayNode into, AddressList list) {
        list.networks().forEach(into::add);
    }
}
