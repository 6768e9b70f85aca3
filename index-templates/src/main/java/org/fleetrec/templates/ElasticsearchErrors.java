package org.fleetrec.templates;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import org.elasticsearch.client.ResponseException;

/**
 * The HTTP status behind a failed call. The Java client reports it in different shapes
 * (a parsed error, a transport error, a raw response error) depending on the endpoint.
 */
public final class ElasticsearchErrors {
    private ElasticsearchErrors() {
    }

    /** The status, or -1 when the failure did not come from an HTTP answer (e.g. no connection). */
    public static int status(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ElasticsearchException e) return e.status();
            if (t instanceof ResponseException e) return e.getResponse().getStatusLine().getStatusCode();
            if (t instanceof TransportException e && e.statusCode() > 0) return e.statusCode();
        }
        return -1;
    }

    public static boolean is(Throwable error, int status) {
        return status(error) == status;
    }
}
