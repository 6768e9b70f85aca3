package org.fleetrec.web;

import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import org.fleetrec.model.IpLiteral;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The one thing a network correlation is about: an address, a block, a port, a domain or a process. */
record NetworkSelector(Kind kind, String value) {
    static final int MAX_ENTITY_ID_LENGTH = 512;

    enum Kind {
        IP("ip"), CIDR("cidr"), PORT("port"), DOMAIN("domain"), ENTITY_ID("entityId");

        final String parameter;

        Kind(String parameter) {
            this.parameter = parameter;
        }
    }

    static NetworkSelector from(Context ctx) {
        List<NetworkSelector> given = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            String value = ctx.queryParam(kind.parameter);
            if (value != null && !value.isBlank()) given.add(new NetworkSelector(kind, value.trim()));
        }
        if (given.size() != 1) {
            throw new BadRequestResponse("give exactly one of ip, cidr, port, domain, entityId");
        }
        return given.get(0).validated();
    }

    private NetworkSelector validated() {
        return switch (kind) {
            case IP -> new NetworkSelector(kind, IpLiteral.canonical(value)
                    .orElseThrow(() -> new BadRequestResponse("ip must be an IPv4 or IPv6 address")));
            case CIDR -> new NetworkSelector(kind, IpLiteral.cidr(value)
                    .orElseThrow(() -> new BadRequestResponse("cidr must be address/prefix, e.g. 10.0.0.0/8")));
            case PORT -> {
                if (value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(value) > 65535) {
                    throw new BadRequestResponse("port must be a number from 0 to 65535");
                }
                yield new NetworkSelector(kind, Integer.toString(Integer.parseInt(value)));
            }
            case DOMAIN -> {
                DomainName.normalize(value).orElseThrow(() -> new BadRequestResponse("domain is not a DNS name"));
                yield this;
            }
            case ENTITY_ID -> {
                if (value.length() > MAX_ENTITY_ID_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
                    throw new BadRequestResponse("entityId is not a process entity id");
                }
                yield this;
            }
        };
    }

    /** The name as given and in lower case: keywords match case-sensitively and events keep the case they saw. */
    List<String> domainNames() {
        Set<String> names = new LinkedHashSet<>();
        names.add(DomainName.normalize(value).orElseThrow());
        String asGiven = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
        names.add(asGiven);
        return List.copyOf(names);
    }

    /** Network events this selector is about; for a domain also those to the addresses it resolved to. */
    Query query(Collection<String> resolvedIps) {
        return switch (kind) {
            case IP, CIDR -> Queries.anyOf(List.of(Queries.term("source.ip", value), Queries.term("destination.ip", value)));
            // A socket with no remote end (bind, listen) has its own port as source.port; elsewhere the
            // source port is the client's ephemeral one, which nobody means by "port 443".
            case PORT -> Queries.anyOf(List.of(Queries.term("destination.port", Long.parseLong(value)),
                    Query.of(q -> q.bool(b -> b.filter(Queries.term("source.port", Long.parseLong(value)))
                            .mustNot(m -> m.exists(e -> e.field("destination.ip")))))));
            case DOMAIN -> {
                List<Query> any = new ArrayList<>(List.of(Queries.terms("destination.domain", domainNames()),
                        Queries.terms("url.domain", domainNames())));
                if (!resolvedIps.isEmpty()) any.add(Queries.terms("destination.ip", resolvedIps));
                yield Queries.anyOf(any);
            }
            case ENTITY_ID -> Queries.term("process.entity_id", value);
        };
    }
}
