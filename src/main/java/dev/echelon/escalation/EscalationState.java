package dev.echelon.escalation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where one request stands: its attempts so far (the last one is the attempt being judged), the time since the request
 * started and its budget. Immutable; {@link #withAttempt} returns the next state.
 *
 * @param requestId      for logs
 * @param requestedChain the escalation chain the router chose for the request (e.g. {@code code}); {@code null} when
 *                       none was chosen, in which case the first chain containing the current role is used
 * @param attempts       oldest first; the last is the attempt that just ended
 * @param elapsed        wall time since the request started, measured by the caller when asking for the next action
 */
public record EscalationState(String requestId, String requestedChain, List<Attempt> attempts, Duration elapsed,
        Budget budget) {

    public EscalationState {
        attempts = List.copyOf(attempts);
        elapsed = elapsed == null ? Duration.ZERO : elapsed;
        budget = budget == null ? Budget.DEFAULT : budget;
    }

    /** A request with no attempt yet. */
    public static EscalationState start(String requestId, String requestedChain, Budget budget) {
        return new EscalationState(requestId, requestedChain, List.of(), Duration.ZERO, budget);
    }

    /** This state plus one finished attempt, at {@code elapsedNow} since the request started. */
    public EscalationState withAttempt(Attempt attempt, Duration elapsedNow) {
        List<Attempt> next = new ArrayList<>(attempts.size() + 1);
        next.addAll(attempts);
        next.add(Objects.requireNonNull(attempt, "attempt"));
        return new EscalationState(requestId, requestedChain, next, elapsedNow, budget);
    }

    /** This state plus one finished attempt, the elapsed time advanced by the attempt's own duration. */
    public EscalationState withAttempt(Attempt attempt) {
        return withAttempt(attempt, elapsed.plusMillis(attempt.elapsedMs()));
    }

    public EscalationState withElapsed(Duration elapsedNow) {
        return new EscalationState(requestId, requestedChain, attempts, elapsedNow, budget);
    }

    public Optional<Attempt> last() {
        return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
    }

    /** The role of the last attempt. */
    public Optional<String> currentRole() {
        return last().map(Attempt::role);
    }

    /** Number of attempts so far (1 after the first attempt). */
    public int attemptCount() {
        return attempts.size();
    }

    public long tokensUsed() {
        long sum = 0;
        for (Attempt a : attempts) {
            sum += a.tokens();
        }
        return sum;
    }

    /** Tokens the next attempt may still spend (0 when the budget is spent). */
    public long remainingTokens() {
        return Math.max(0, budget.maxTotalTokens() - tokensUsed());
    }

    /** Time left until the deadline (zero when past it). */
    public Duration remainingTime() {
        Duration left = budget.deadline().minus(elapsed);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Moves to another role so far (escalations and fallbacks). */
    public int escalationsUsed() {
        int n = 0;
        for (Attempt a : attempts) {
            if (a.roleChange()) {
                n++;
            }
        }
        return n;
    }

    /** Retries and think-harders made on {@code role}. */
    public int retriesOn(String role) {
        int n = 0;
        for (Attempt a : attempts) {
            if (a.role().equals(role) && a.sameRoleRepeat()) {
                n++;
            }
        }
        return n;
    }

    /** Attempts of the given kind made on {@code role}. */
    public int attemptsOn(String role, Attempt.Kind kind) {
        int n = 0;
        for (Attempt a : attempts) {
            if (a.role().equals(role) && a.kind() == kind) {
                n++;
            }
        }
        return n;
    }

    /** Attempts of the given kind in the whole request. */
    public int attemptsOf(Attempt.Kind kind) {
        int n = 0;
        for (Attempt a : attempts) {
            if (a.kind() == kind) {
                n++;
            }
        }
        return n;
    }

    /** Attempts on {@code role} that failed with {@code category}. */
    public int failuresOn(String role, ErrorCategory category) {
        int n = 0;
        for (Attempt a : attempts) {
            if (a.role().equals(role) && a.outcome().failure() == category) {
                n++;
            }
        }
        return n;
    }

    /** Roles tried so far, in order of first attempt. */
    public Set<String> visitedRoles() {
        Set<String> roles = new LinkedHashSet<>();
        for (Attempt a : attempts) {
            roles.add(a.role());
        }
        return roles;
    }
}
