package org.fleetrec.ingest;

import java.util.List;

/**
 * What happened to one batch: how many documents are now stored, how many were stored
 * already (a retried batch), and which lines were rejected and why.
 */
record BatchResult(int accepted, int duplicates, List<Rejection> rejected) {
    record Rejection(int line, String reason) {
    }
}
