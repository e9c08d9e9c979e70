package dev.echelon.pipeline;

import dev.echelon.escalation.Action;
import dev.echelon.escalation.Attempt;
import dev.echelon.escalation.CircuitBreakers;
import dev.echelon.escalation.ErrorCategory;
import dev.echelon.escalation.EscalationEvent;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.escalation.EscalationState;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.time.Instant;

/**
 * Step 6: after a failed attempt, decide what comes next — retry, think harder, the next role in the escalation
 * chain, a lateral fallback, or give up — and leave a trace of it: the JSONL escalation log, metrics, and the
 * request's {@code x_echelon.escalations}. The policy decides; this step keeps the books.
 */
final class EscalateStep {

    private final EscalationPolicy policy;
    private final CircuitBreakers breakers;
    private final EscalationLog log;
    private final MeterRegistry metrics;

    EscalateStep(EscalationPolicy policy, CircuitBreakers breakers, EscalationLog log, MeterRegistry metrics) {
        this.policy = policy;
        this.breakers = breakers;
        this.log = log;
        this.metrics = metrics;
    }

    /** Books a finished attempt: the circuit breaker of its instance learns whether the backend worked. */
    EscalationState attempted(EscalationState state, Attempt attempt, Duration elapsed) {
        if (attempt.instance() != null) {
            ErrorCategory f = attempt.outcome().failure();
            if (f == ErrorCategory.INFRASTRUCTURE || f == ErrorCategory.TIMEOUT) {
                breakers.failure(attempt.instance());
            } else {
                breakers.success(attempt.instance());
            }
        }
        return state.withAttempt(attempt, elapsed);
    }

    Action next(EscalationState state, ErrorCategory failure, String reason) {
        Action action = policy.next(state, failure, reason);
        log.append(EscalationEvent.of(Instant.now(), state, failure, reason, action));
        metrics.counter("echelon.escalations", "category", failure.name().toLowerCase(), "action", action.name())
                .increment();
        return action;
    }

    /** The line that {@code x_echelon.escalations} shows for one step. */
    static String describe(String from, Action action, ErrorCategory failure, String reason) {
        String what = failure.name().toLowerCase() + " (" + shorten(reason) + ")";
        if (action instanceof Action.Escalate e) {
            return e.from() + "→" + e.to() + ": " + what;
        }
        if (action instanceof Action.Fallback f) {
            return f.from() + "→" + f.to() + " (fallback): " + what;
        }
        if (action instanceof Action.ThinkHarder) {
            return from + " asked to think harder: " + what;
        }
        if (action instanceof Action.GiveUp g) {
            return from + ": gave up: " + g.reason();
        }
        return from + " retried: " + what;
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() <= 120 ? s : s.substring(0, 117) + "…";
    }

    CircuitBreakers breakers() {
        return breakers;
    }
}
