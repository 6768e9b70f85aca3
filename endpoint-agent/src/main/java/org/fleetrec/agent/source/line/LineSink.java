package org.fleetrec.agent.source.line;

/**
 * Takes each complete line from a source together with where the source stands just after it, so that
 * the agent can persist how far it has stored and resume there. Called on the source's reading thread.
 * A stream's sink (stdin) must not block; a followed log's may wait for room, the file keeps the rest.
 */
@FunctionalInterface
public interface LineSink {
    /** @param after the position just past {@code line}; null when the source has none (stdin) or could not tell */
    void accept(String line, LogPosition after);
}
