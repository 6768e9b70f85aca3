package org.fleetrec.agent.source;

import org.fleetrec.agent.source.line.AuditLineSource;
import org.fleetrec.agent.source.line.LogPosition;

import java.util.Optional;

/** Records as audit.log text: from auditd's plugin stream on stdin, or following its log file. */
public final class LineCapture implements Capture {
    private final AuditLineSource source;

    public LineCapture(AuditLineSource source) {
        this.source = source;
    }

    @Override
    public String mode() {
        return source.mode();
    }



    @Override
    public long overruns() {
        return source.malformedLines();
    }

    @Override
    public boolean controlsKernel() {
        return false;
    }

    @Override
    public Optional<String> startPosition() {
        return source.startPosition().map(LogPosition::encode);
    }

    @Override
    public void close() {
        try {
            source.close();
        } catch (Exception e) {
            // closing a reader thread cannot fail in a way worth stopping the agent for
        }
    }
}
