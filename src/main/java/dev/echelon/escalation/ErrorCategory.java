package dev.echelon.escalation;

/**
 * Why an attempt failed, as far as escalation cares. Mirrors {@code dev.echelon.quality.FailureCategory} constant for
 * constant (same names, same order), so the two map with {@code ErrorCategory.valueOf(failure.name())}.
 */
public enum ErrorCategory {
    /** The backend did not answer in time (first token, idle or total limit). */
    TIMEOUT,
    /** Connection refused, 5xx, process died, instance loading: the model never really had a go. */
    INFRASTRUCTURE,
    /** The answer broke the requested format (invalid JSON, schema violation, missing tool-call shape). */
    FORMAT,
    /** The answer was well-formed but weak (low log-probability, repetition, too short, truncated). */
    LOW_QUALITY,
    /** The generation monitor cut the stream early (degenerate output detected while streaming). */
    EARLY_ABORT
}
