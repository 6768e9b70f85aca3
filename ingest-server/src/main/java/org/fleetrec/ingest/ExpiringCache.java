package org.fleetrec.ingest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers looked up in Elasticsearch, kept for a while so a busy fleet does not search on every
 * request, and forgotten in time for a revocation to take effect. Bounded by dropping everything
 * when full: a refill costs one lookup per active key.
 */
final class ExpiringCache<V> {
    /** The lookup behind the cache; it may go to Elasticsearch. */
    interface Loader<V> {
        V load(String key) throws java.io.IOException;
    }

    private record Entry<V>(V value, long expires) {
    }

    private final Duration lifetime;
    private final int maxEntries;
    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();

    ExpiringCache(Duration lifetime, int maxEntries) {
        this.lifetime = lifetime;
        this.maxEntries = maxEntries;
    }

    V get(String key, Loader<V> loader) throws java.io.IOException {
        long now = System.currentTimeMillis();
        Entry<V> cached = entries.get(key);
        if (cached != null && cached.expires() > now) return cached.value();
        V value = loader.load(key);
        if (entries.size() >= maxEntries) entries.clear();
        entries.put(key, new Entry<>(value, now + lifetime.toMillis()));
        return value;
    }
}
