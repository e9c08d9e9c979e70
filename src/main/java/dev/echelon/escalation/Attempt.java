package dev.echelon.escalation;

import java.util.Objects;

/**
 * One try at answering a request: which role (and instance) ran it, why it was made, how it ended and what it cost.
 *
 * @param instance  the instance that served it, or {@code null} when none was reached (e.g. no instance available)
 * @param tokens    tokens spent by this attempt (prompt + completion), counted against {@link Budget#maxTotalTokens()}
 * @param elapsedMs wall time of this attempt
 */
public record Attempt(String role, String instance, Kind kind, Outcome outcome, long tokens, long elapsedMs) {

    /** Why the attempt was made. */
    public enum Kind {
        /** The routed role, first try. */
        FIRST,
        /** Same role again (e.g. after a format error, with a stricter format instruction). */
        RETRY,
        /** Same role again with a larger token budget and a reasoning instruction. */
        THINK_HARDER,
        /** Next, more capable role of the escalation chain. */
        ESCALATE,
        /** Lateral fallback role after an infrastructure fault. */
        FALLBACK
    }

    /**
     * How an attempt ended.
     *
     * @param failure {@code null} when the attempt succeeded
     * @param reason  a short human-readable explanation (empty for success)
     */
    public record Outcome(ErrorCategory failure, String reason) {

        public static final Outcome OK = new Outcome(null, "");

        public Outcome {
            reason = reason == null ? "" : reason;
        }

        public static Outcome failed(ErrorCategory failure, String reason) {
            return new Outcome(Objects.requireNonNull(failure, "failure"), reason);
        }

        public boolean ok() {
            return failure == null;
        }
    }

    public Attempt {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(kind, "kind");
        outcome = outcome == null ? Outcome.OK : outcome;
        if (tokens < 0 || elapsedMs < 0) {
            throw new IllegalArgumentException("tokens and elapsedMs must be >= 0");
        }
    }

    public static Attempt ok(String role, String instance, Kind kind, long tokens, long elapsedMs) {
        return new Attempt(role, instance, kind, Outcome.OK, tokens, elapsedMs);
    }

    public static Attempt failed(String role, String instance, Kind kind, ErrorCategory failure, String reason,
            long tokens, long elapsedMs) {
        return new Attempt(role, instance, kind, Outcome.failed(failure, reason), tokens, elapsedMs);
    }

    public boolean ok() {
        return outcome.ok();
    }

    /** Whether this attempt re-ran the role it follows (a retry or a think-harder). */
    public boolean sameRoleRepeat() {
        return kind == Kind.RETRY || kind == Kind.THINK_HARDER;
    }

    /** Whether this attempt moved the request to another role (an escalation or a lateral fallback). */
    public boolean roleChange() {
        return kind == Kind.ESCALATE || kind == Kind.FALLBACK;
    }
}
