package org.fleetrec.detection.hunt;

/**
 * A hunt or trial that cannot be run as asked: a rule the engine refuses or cannot turn into a query,
 * a bad time range, too many events, or a query Elasticsearch would not run. The message says which,
 * in words meant for whoever wrote the request.
 */
public final class HuntRefused extends Exception {
    public HuntRefused(String reason) {
        super(reason);
    }
}
