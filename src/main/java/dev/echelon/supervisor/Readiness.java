package dev.echelon.supervisor;

/** What one {@code /health} probe saw. */
public enum Readiness {
    /** 200. */
    READY,
    /** 503 Loading model. */
    LOADING,
    /** No answer: connection refused, timeout, or an unexpected reply. */
    DOWN
}
