package dev.echelon.escalation;

import java.util.Objects;
import java.util.Optional;

/** What to do after a failed attempt: the answer of {@link EscalationPolicy#next}. */
public sealed interface Action
        permits Action.Retry, Action.ThinkHarder, Action.Escalate, Action.Fallback, Action.GiveUp {

    /** Short snake_case name for logs and metrics: retry, think_harder, escalate, fallback, give_up. */
    String name();

    /** The role the next attempt runs on; empty for {@link GiveUp}. */
    Optional<String> targetRole();

    /** The kind of the next attempt, to record in its {@link Attempt}; empty for {@link GiveUp}. */
    Optional<Attempt.Kind> attemptKind();

    /** Whether the request goes on (anything but {@link GiveUp}). */
    default boolean continues() {
        return !(this instanceof GiveUp);
    }

    /**
     * Run the same role again.
     *
     * @param strictFormat add a stricter format instruction to the prompt (set after a {@link ErrorCategory#FORMAT}
     *                     failure)
     */
    record Retry(String role, String reason, boolean strictFormat) implements Action {
        public Retry {
            Objects.requireNonNull(role, "role");
        }

        public Retry(String role, String reason) {
            this(role, reason, false);
        }

        @Override
        public String name() {
            return "retry";
        }

        @Override
        public Optional<String> targetRole() {
            return Optional.of(role);
        }

        @Override
        public Optional<Attempt.Kind> attemptKind() {
            return Optional.of(Attempt.Kind.RETRY);
        }
    }

    /**
     * Run the same role again with a larger token budget and a reasoning instruction.
     *
     * @param maxTokensMultiplier multiply the attempt's {@code max_tokens} by this (the caller clamps it to
     *                            {@link EscalationState#remainingTokens()})
     * @param instruction         prepended to the system prompt, e.g. "Think step by step before answering."
     */
    record ThinkHarder(String role, int maxTokensMultiplier, String instruction) implements Action {
        public ThinkHarder {
            Objects.requireNonNull(role, "role");
            if (maxTokensMultiplier < 1) {
                throw new IllegalArgumentException("maxTokensMultiplier must be >= 1");
            }
        }

        @Override
        public String name() {
            return "think_harder";
        }

        @Override
        public Optional<String> targetRole() {
            return Optional.of(role);
        }

        @Override
        public Optional<Attempt.Kind> attemptKind() {
            return Optional.of(Attempt.Kind.THINK_HARDER);
        }
    }

    /** Move up the escalation chain {@code chain} from {@code from} to the more capable {@code to}. */
    record Escalate(String from, String to, String chain) implements Action {
        public Escalate {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }

        @Override
        public String name() {
            return "escalate";
        }

        @Override
        public Optional<String> targetRole() {
            return Optional.of(to);
        }

        @Override
        public Optional<Attempt.Kind> attemptKind() {
            return Optional.of(Attempt.Kind.ESCALATE);
        }
    }

    /** Move sideways to {@code to}, one of {@code from}'s configured fallbacks (infrastructure faults, timeouts). */
    record Fallback(String from, String to) implements Action {
        public Fallback {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }

        @Override
        public String name() {
            return "fallback";
        }

        @Override
        public Optional<String> targetRole() {
            return Optional.of(to);
        }

        @Override
        public Optional<Attempt.Kind> attemptKind() {
            return Optional.of(Attempt.Kind.FALLBACK);
        }
    }

    /**
     * Stop: answer the client with the best attempt so far, or an error.
     *
     * @param reason   human-readable; names the exhausted budget when a budget ended the request
     * @param category the failure that ended it
     * @param cause    machine-readable reason for metrics and tests
     */
    record GiveUp(String reason, ErrorCategory category, Cause cause) implements Action {

        /** What ended the request. */
        public enum Cause {
            /** {@link Budget#deadline()} reached. */
            DEADLINE,
            /** {@link Budget#maxTotalTokens()} spent. */
            MAX_TOTAL_TOKENS,
            /** {@link Budget#maxEscalations()} used up while another role was available. */
            MAX_ESCALATIONS,
            /** {@link Budget#maxRetries()} used up on a role with nowhere left to escalate. */
            MAX_RETRIES,
            /** No role left: end of the chain, tier B is terminal, fallbacks tried or circuit-open. */
            NO_CANDIDATE
        }

        public GiveUp {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(cause, "cause");
        }

        @Override
        public String name() {
            return "give_up";
        }

        @Override
        public Optional<String> targetRole() {
            return Optional.empty();
        }

        @Override
        public Optional<Attempt.Kind> attemptKind() {
            return Optional.empty();
        }
    }
}
