package dev.echelon.quality;

/**
 * The kind of fault behind a failed generation, as the escalation policy sees it. {@link #INFRASTRUCTURE} is never
 * produced by the quality gate itself (it judges answers, not connections); the escalation package uses it for
 * backend errors (unreachable, 5xx, loading).
 */
public enum FailureCategory {
    /** The generation ran past its deadline. */
    TIMEOUT,
    /** The backend or its transport failed (connection refused, 5xx, model not loaded). */
    INFRASTRUCTURE,
    /** The answer is not in the required format (invalid JSON, schema mismatch, bad tool arguments). */
    FORMAT,
    /** The answer is there but bad: empty, too short, repetitive, low-confidence, a refusal. */
    LOW_QUALITY,
    /** The generation ended before the answer did (backend error mid-stream, cut by a length limit, cut JSON). */
    EARLY_ABORT
}
