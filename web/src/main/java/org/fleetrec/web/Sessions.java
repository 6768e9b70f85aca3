package org.fleetrec.web;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Browser sessions: an unguessable id in an HttpOnly, SameSite=Strict cookie. */
final class Sessions {
    static final String COOKIE = "fleetrec_session";
    static final Duration LIFETIME = Duration.ofHours(8);

    private record Session(Principal principal, String csrfToken, long expires) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    String open(Principal principal) {
        String id = PasswordHasher.randomSecret(32);
        sessions.put(id, new Session(principal, PasswordHasher.randomSecret(24), System.currentTimeMillis() + LIFETIME.toMillis()));
        return id;
    }

    Optional<Principal> principal(String id) {
        return session(id).map(Session::principal);
    }

    Optional<String> csrfToken(String id) {
        return session(id).map(Session::csrfToken);
    }

    void close(String id) {
        if (id != null) sessions.remove(id);
    }

    /** Ends every session of a user, as when the account is disabled. */
    void closeAll(String username) {
        sessions.values().removeIf(session -> session.principal().name().equals(username));
    }

    private Optional<Session> session(String id) {
        if (id == null) return Optional.empty();
        Session session = sessions.get(id);
        if (session == null) return Optional.empty();
        if (session.expires() < System.currentTimeMillis()) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(session);
    }
}
