package org.fleetrec.agent.sysmon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.fleetrec.model.EventDocument;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Event 22's {@code QueryName}, {@code QueryResults} and {@code QueryStatus} as ECS {@code dns.*}.
 * Results look like {@code type:  5 alias.example.net;::ffff:192.0.2.1;}: typed entries are
 * answers with their data, bare addresses are resolved IPs (listed after the typed answers as
 * A/AAAA records, as the ECS sysmon pipeline orders them).
 */
final class DnsFields {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("1", "A"), Map.entry("2", "NS"), Map.entry("5", "CNAME"), Map.entry("6", "SOA"),
            Map.entry("12", "PTR"), Map.entry("13", "HINFO"), Map.entry("15", "MX"), Map.entry("16", "TXT"),
            Map.entry("28", "AAAA"), Map.entry("33", "SRV"), Map.entry("35", "NAPTR"), Map.entry("39", "DNAME"),
            Map.entry("41", "OPT"), Map.entry("43", "DS"), Map.entry("46", "RRSIG"), Map.entry("47", "NSEC"),
            Map.entry("48", "DNSKEY"), Map.entry("64", "SVCB"), Map.entry("65", "HTTPS"), Map.entry("255", "ANY"));
    private static final Map<String, String> STATUS = Map.of(
            "0", "SUCCESS", "1460", "ERROR_TIMEOUT", "9003", "DNS_ERROR_RCODE_NAME_ERROR",
            "9002", "DNS_ERROR_RCODE_SERVER_FAILURE", "9501", "DNS_INFO_NO_RECORDS", "9701", "DNS_ERROR_RECORD_DOES_NOT_EXIST",
            "87", "ERROR_INVALID_PARAMETER", "123", "ERROR_INVALID_NAME", "1214", "ERROR_INVALID_NETNAME");

    private DnsFields() {
    }

    static void fill(EventDocument doc, EventData data) {
        doc.put("network.protocol", "dns");
        String name = data.take("QueryName");
        doc.put("dns.question.name", name);
        ArrayNode answers = JsonNodeFactory.instance.arrayNode();
        List<String> ips = new ArrayList<>();
        Set<String> hosts = new LinkedHashSet<>();
        String results = data.take("QueryResults");
        if (results != null) {
            for (String entry : results.split(";")) {
                String e = entry.trim();
                if (e.isEmpty()) continue;
                if (e.startsWith("type:")) {
                    String[] parts = e.split("\\s+");
                    if (parts.length < 2) continue;
                    var answer = answers.addObject();
                    if (parts.length >= 3) {
                        answer.put("data", parts[2]);
                        hosts.add(parts[2]);
                    }
                    answer.put("type", TYPES.getOrDefault(parts[1], parts[1]));
                } else {
                    address(e).ifPresent(ips::add);
                }
            }
        }
        for (String ip : ips) answers.addObject().put("data", ip).put("type", ip.indexOf(':') >= 0 ? "AAAA" : "A");
        if (!answers.isEmpty()) doc.put("dns.answers", answers);
        if (!ips.isEmpty()) doc.putAll("dns.resolved_ip", ips).putAll("related.ip", new LinkedHashSet<>(ips));
        if (name != null) hosts.add(name);
        if (!hosts.isEmpty()) doc.putAll("related.hosts", hosts);
        String status = data.take("QueryStatus");
        if (status != null) doc.put("sysmon.dns.status", STATUS.getOrDefault(status, status));
    }

    /** A literal address, IPv4-mapped IPv6 written as plain IPv4; anything else is not an address. */
    private static java.util.Optional<String> address(String text) {
        String t = text;
        if (t.startsWith("::ffff:") && t.indexOf('.') > 0) t = t.substring("::ffff:".length());
        String literal = t;
        return IpLiterals.parse(literal).map(a -> literal);
    }
}
