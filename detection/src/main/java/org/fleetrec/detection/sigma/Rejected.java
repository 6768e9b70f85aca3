package org.fleetrec.detection.sigma;

/**
 * A rule that was not loaded, and why. {@code unsupported} separates valid Sigma this engine or the
 * project's documents cannot serve from files that are not valid Sigma; id and title are null when
 * the file could not be read that far.
 */
public record Rejected(String source, String id, String title, String reason, boolean unsupported) {
    @Override
    public String toString() {
        return source + (title == null ? "" : " (" + title + ")") + ": " + (unsupported ? "unsupported: " : "invalid: ") + reason;
    }
}
