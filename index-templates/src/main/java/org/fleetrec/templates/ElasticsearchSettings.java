package org.fleetrec.templates;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Where the cluster is and how to prove who we are: a URL (user:password may ride in it),
 * or an API key, and a CA certificate for clusters with their own PKI. {@code moreUrls} are other
 * nodes of the same cluster: the client spreads requests over all of them and leaves a node that
 * stops answering, so one node going away does not stop a server.
 */
public record ElasticsearchSettings(URI url, String apiKey, String username, String password, Path caCertificate,
                                    List<URI> moreUrls) {

    public ElasticsearchSettings(URI url, String apiKey, String username, String password, Path caCertificate) {
        this(url, apiKey, username, password, caCertificate, List.of());
    }

    public ElasticsearchSettings {
        if (url == null) throw new IllegalArgumentException("an Elasticsearch URL is required");
        moreUrls = moreUrls == null ? List.of() : moreUrls.stream().map(ElasticsearchSettings::withoutUserInfo).toList();
        String userInfo = url.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (username == null) username = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            if (password == null && colon >= 0) password = decode(userInfo.substring(colon + 1));
            url = withoutUserInfo(url);
        }
    }

    public static ElasticsearchSettings of(String url) {
        return new ElasticsearchSettings(URI.create(url), null, null, null, null);
    }

    /**
     * Reads FLEETREC_ES_URL (one node, or a comma list of nodes of one cluster), FLEETREC_ES_API_KEY,
     * FLEETREC_ES_USER, FLEETREC_ES_PASSWORD, FLEETREC_ES_CA.
     */
    public static ElasticsearchSettings fromEnvironment(Map<String, String> env, String defaultUrl) {
        String url = env.getOrDefault("FLEETREC_ES_URL", defaultUrl);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("FLEETREC_ES_URL is not set and no default was given");
        }
        List<URI> urls = Arrays.stream(url.split(",")).map(String::strip).filter(u -> !u.isEmpty()).map(URI::create).toList();
        if (urls.isEmpty()) throw new IllegalArgumentException("FLEETREC_ES_URL names no node: " + url);
        String ca = env.get("FLEETREC_ES_CA");
        return new ElasticsearchSettings(urls.get(0), blankToNull(env.get("FLEETREC_ES_API_KEY")),
                blankToNull(env.get("FLEETREC_ES_USER")), blankToNull(env.get("FLEETREC_ES_PASSWORD")),
                ca == null || ca.isBlank() ? null : Path.of(ca), urls.subList(1, urls.size()));
    }

    /** Every node to talk to, the first given first. */
    public List<URI> urls() {
        List<URI> all = new java.util.ArrayList<>();
        all.add(url);
        all.addAll(moreUrls);
        return all;
    }

    /** The URL for logs and stack.json: the password never appears in it. */
    public String redactedUrl() {
        return String.join(",", urls().stream().map(u -> username == null ? u.toString()
                : u.toString().replace("://", "://" + username + ":***@")).toList());
    }

    private static URI withoutUserInfo(URI url) {
        if (url.getRawUserInfo() == null) return url;
        return URI.create(url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath()));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ElasticsearchSettings[" + redactedUrl() + (apiKey != null ? ", apiKey=***" : "") + "]";
    }
}
