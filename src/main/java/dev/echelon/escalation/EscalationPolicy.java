package dev.echelon.escalation;

import dev.echelon.escalation.Action.GiveUp.Cause;
import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.Tier;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides what a request does after a failed attempt (pipeline step 6). Pure and deterministic: the answer depends
 * only on the registry's chains and fallbacks, the circuit breakers' current states and the {@link EscalationState}.
 * It reads the breakers but never changes them; the caller reports each attempt's instance to
 * {@link CircuitBreakers#success}/{@link CircuitBreakers#failure} itself.
 *
 * <p>Rules, checked in this order:
 * <ol>
 * <li>deadline reached → {@link Action.GiveUp} ({@link Cause#DEADLINE}); tokens spent → GiveUp
 *     ({@link Cause#MAX_TOTAL_TOKENS}).</li>
 * <li>{@link ErrorCategory#FORMAT}: {@link Action.Retry} the same role with a stricter format instruction while
 *     {@link Budget#maxRetries()} allows, then escalate along the chain.</li>
 * <li>{@link ErrorCategory#LOW_QUALITY}: {@link Action.ThinkHarder} on the same role (if a retry is left and the
 *     request has not used its {@link Settings#thinkHarderPerRequest()} think-harders, default one), then escalate
 *     along the chain; no lateral fallback for quality.</li>
 * <li>{@link ErrorCategory#EARLY_ABORT}: retry once ({@link Settings#earlyAbortRetries()}), then escalate.</li>
 * <li>{@link ErrorCategory#TIMEOUT}: escalate along the chain, else a lateral fallback.</li>
 * <li>{@link ErrorCategory#INFRASTRUCTURE}: the first lateral fallback whose instances are not all circuit-open,
 *     else escalate along the chain.</li>
 * </ol>
 * Tier B is terminal: from a B role only lateral fallbacks are possible. A role already tried for this request is
 * never a target again, nor is a role whose instances are all circuit-open; escalation walks past such roles to the
 * next one in the chain. Every move to another role counts against {@link Budget#maxEscalations()}.
 *
 * <p>The chain of a role: the request's chain if it contains the role, else the first chain (in registry order) that
 * does, else none.
 */
public final class EscalationPolicy {

    /**
     * @param thinkHarderMultiplier  factor on {@code max_tokens} for a think-harder attempt
     * @param thinkHarderInstruction reasoning instruction added to a think-harder attempt's prompt
     * @param earlyAbortRetries      retries on the same role after early aborts before escalating (per role)
     * @param thinkHarderPerRequest  think-harder attempts in the whole request (quality failures on later roles
     *                               escalate straight away)
     */
    public record Settings(int thinkHarderMultiplier, String thinkHarderInstruction, int earlyAbortRetries,
            int thinkHarderPerRequest) {

        public static final Settings DEFAULT = new Settings(2, "Think step by step before answering.", 1, 1);

        public Settings {
            if (thinkHarderMultiplier < 1) {
                throw new IllegalArgumentException("thinkHarderMultiplier must be >= 1 (was " + thinkHarderMultiplier + ")");
            }
            if (earlyAbortRetries < 0) {
                throw new IllegalArgumentException("earlyAbortRetries must be >= 0 (was " + earlyAbortRetries + ")");
            }
            if (thinkHarderPerRequest < 0) {
                throw new IllegalArgumentException("thinkHarderPerRequest must be >= 0 (was " + thinkHarderPerRequest + ")");
            }
            thinkHarderInstruction = thinkHarderInstruction == null ? "" : thinkHarderInstruction;
        }
    }

    private final ModelRegistry registry;
    private final CircuitBreakers breakers;
    private final Settings settings;

    public EscalationPolicy(ModelRegistry registry, CircuitBreakers breakers, Settings settings) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.breakers = Objects.requireNonNull(breakers, "breakers");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public EscalationPolicy(ModelRegistry registry, CircuitBreakers breakers) {
        this(registry, breakers, Settings.DEFAULT);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * What to do after the last attempt of {@code state} failed.
     *
     * @param state   the request so far; its last attempt is the one that failed
     * @param failure why it failed
     * @param reason  detail for logs (e.g. the quality gate's message)
     * @throws IllegalArgumentException if the state has no attempt
     */
    public Action next(EscalationState state, ErrorCategory failure, String reason) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(failure, "failure");
        String role = state.currentRole()
                .orElseThrow(() -> new IllegalArgumentException("escalation state has no attempt to judge"));
        String why = failure + " on " + role + (reason == null || reason.isBlank() ? "" : " (" + reason + ")");
        Budget budget = state.budget();

        if (state.elapsed().compareTo(budget.deadline()) >= 0) {
            return new Action.GiveUp("deadline reached: " + state.elapsed().toMillis() + " ms elapsed of "
                    + budget.deadline().toMillis() + " ms; last failure " + why, failure, Cause.DEADLINE);
        }
        if (state.tokensUsed() >= budget.maxTotalTokens()) {
            return new Action.GiveUp("maxTotalTokens budget exhausted: " + state.tokensUsed() + " of "
                    + budget.maxTotalTokens() + " tokens used; last failure " + why, failure, Cause.MAX_TOTAL_TOKENS);
        }
        Optional<RoleSpec> spec = registry.role(role);
        if (spec.isEmpty()) {
            return new Action.GiveUp("unknown role '" + role + "'; last failure " + why, failure, Cause.NO_CANDIDATE);
        }

        boolean retryLeft = state.retriesOn(role) < budget.maxRetries();
        Optional<String> chain = chainFor(role, state.requestedChain());
        String detail = reason == null ? "" : reason;

        return switch (failure) {
            case FORMAT -> retryLeft
                    ? new Action.Retry(role, "format: " + detail, true)
                    : up(state, role, chain, failure, why, true, false);
            case LOW_QUALITY -> retryLeft && state.attemptsOn(role, Attempt.Kind.THINK_HARDER) == 0
                    && state.attemptsOf(Attempt.Kind.THINK_HARDER) < settings.thinkHarderPerRequest()
                    ? new Action.ThinkHarder(role, settings.thinkHarderMultiplier(), settings.thinkHarderInstruction())
                    : up(state, role, chain, failure, why, !retryLeft, false);
            case EARLY_ABORT -> retryLeft && earlyAbortRetries(state, role) < settings.earlyAbortRetries()
                    ? new Action.Retry(role, "early abort: " + detail, false)
                    : up(state, role, chain, failure, why, !retryLeft, false);
            case TIMEOUT -> up(state, role, chain, failure, why, false, true);
            case INFRASTRUCTURE -> {
                Optional<String> fb = fallbackTarget(state, spec.get());
                yield fb.isPresent()
                        ? move(state, new Action.Fallback(role, fb.get()), failure, why)
                        : up(state, role, chain, failure, why, false, false);
            }
        };
    }

    /**
     * The role after {@code role} in the named chain, or empty when the chain is unknown, does not contain the role,
     * ends with it, or the role is in tier B (terminal). Pure lookup: ignores breakers and earlier attempts.
     */
    public Optional<String> nextInChain(String role, String chain) {
        List<String> roles = chain == null ? null : registry.chains().get(chain);
        if (roles == null || isTerminal(role)) {
            return Optional.empty();
        }
        int i = roles.indexOf(role);
        return i < 0 || i + 1 >= roles.size() ? Optional.empty() : Optional.of(roles.get(i + 1));
    }

    /**
     * The chain that governs {@code role}: {@code requestedChain} if it contains the role, else the first chain that
     * does, else empty.
     */
    public Optional<String> chainFor(String role, String requestedChain) {
        Map<String, List<String>> chains = registry.chains();
        if (requestedChain != null && chains.getOrDefault(requestedChain, List.of()).contains(role)) {
            return Optional.of(requestedChain);
        }
        return chains.entrySet().stream().filter(e -> e.getValue().contains(role)).map(Map.Entry::getKey).findFirst();
    }

    /** Whether the role exists, serves users and has at least one instance not refused by its circuit breaker. */
    public boolean available(String role) {
        return registry.role(role)
                .filter(RoleSpec::servesUsers)
                .map(r -> !breakers.allOpen(r.instances().stream().map(InstanceSpec::id).toList()))
                .orElse(false);
    }

    private boolean isTerminal(String role) {
        return registry.role(role).map(r -> r.tier() == Tier.B).orElse(false);
    }

    /** Escalate along the chain; with {@code orFallback}, a lateral fallback when the chain offers nothing. */
    private Action up(EscalationState state, String role, Optional<String> chain, ErrorCategory failure, String why,
            boolean retriesExhausted, boolean orFallback) {
        Optional<String> target = chainTarget(state, role, chain);
        if (target.isPresent()) {
            return move(state, new Action.Escalate(role, target.get(), chain.orElseThrow()), failure, why);
        }
        RoleSpec spec = registry.requireRole(role);
        if (orFallback) {
            Optional<String> fb = fallbackTarget(state, spec);
            if (fb.isPresent()) {
                return move(state, new Action.Fallback(role, fb.get()), failure, why);
            }
        }
        String where;
        if (spec.tier() == Tier.B) {
            where = role + " is tier B (terminal)";
        } else if (chain.isEmpty()) {
            where = role + " is in no escalation chain";
        } else {
            where = "no untried, available role after " + role + " in chain '" + chain.get() + "'";
        }
        if (orFallback || failure == ErrorCategory.INFRASTRUCTURE) {
            where += spec.fallbacks().isEmpty() ? " and has no fallbacks"
                    : " and its fallbacks " + spec.fallbacks() + " are tried or circuit-open";
        }
        if (retriesExhausted) {
            Budget b = state.budget();
            return new Action.GiveUp("maxRetries budget exhausted (" + state.retriesOn(role) + " of "
                    + b.maxRetries() + " retries on " + role + ") and nowhere to escalate: " + where
                    + "; last failure " + why, failure, Cause.MAX_RETRIES);
        }
        return new Action.GiveUp("nowhere to escalate: " + where + "; last failure " + why, failure,
                Cause.NO_CANDIDATE);
    }

    private Action move(EscalationState state, Action move, ErrorCategory failure, String why) {
        int used = state.escalationsUsed();
        int max = state.budget().maxEscalations();
        if (used >= max) {
            return new Action.GiveUp("maxEscalations budget exhausted: " + used + " of " + max
                    + " escalations used (would " + move.name() + " to " + move.targetRole().orElse("?")
                    + "); last failure " + why, failure, Cause.MAX_ESCALATIONS);
        }
        return move;
    }

    private Optional<String> chainTarget(EscalationState state, String role, Optional<String> chain) {
        if (chain.isEmpty() || isTerminal(role)) {
            return Optional.empty();
        }
        List<String> roles = registry.chains().get(chain.get());
        var visited = state.visitedRoles();
        for (int i = roles.indexOf(role) + 1; i < roles.size(); i++) {
            String candidate = roles.get(i);
            if (!visited.contains(candidate) && available(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private Optional<String> fallbackTarget(EscalationState state, RoleSpec spec) {
        var visited = state.visitedRoles();
        for (String candidate : spec.fallbacks()) {
            if (!visited.contains(candidate) && available(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Retries on {@code role} that followed an early abort on it. */
    private static int earlyAbortRetries(EscalationState state, String role) {
        List<Attempt> attempts = state.attempts();
        int n = 0;
        for (int i = 1; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            if (a.role().equals(role) && a.kind() == Attempt.Kind.RETRY
                    && attempts.get(i - 1).outcome().failure() == ErrorCategory.EARLY_ABORT) {
                n++;
            }
        }
        return n;
    }
}
