package dev.echelon.residency;

/**
 * Decides where roles' weights should be. Implemented by Echelon's planner and by the peers it is compared with
 * (static pinning, count-LRU, keep-alive TTL + LRU, swap-one, vOrchestrate's R(b)) and by the offline optimum; the
 * live controller and the simulator drive any of them the same way, so a comparison is like for like.
 *
 * <p>A policy returns a whole target placement; the caller diffs it against the current one, applies the guardrails
 * (live) or the physical constraints (simulated: budgets, no eviction of busy roles) and carries out the legal
 * transitions. A policy keeps whatever history it needs (LRU order, demand forecasts) from the calls it receives.
 */
public interface ResidencyPolicy {

    /** Short name for tables, metrics and the ledger (e.g. {@code planner}, {@code ttl-lru}). */
    String name();

    /**
     * A request for {@code role} arrived (after routing, before admission). Reactive policies load the role here
     * when it cannot serve; forecasting policies count it.
     */
    Decision onRequest(Observation now, String role);

    /**
     * As {@link #onRequest(Observation, String)}, with the request's size as the caller sees it: its prompt length in
     * tokens (counted or estimated) and its {@code max_tokens} (or, where known, its expected answer length). Policies
     * that price placements per request learn from it; the others ignore it.
     */
    default Decision onRequest(Observation now, String role, int promptTokens, int maxOutputTokens) {
        return onRequest(now, role);
    }

    /** The periodic tick: proactive policies plan here. */
    Decision onTick(Observation now);

    /**
     * An answer from {@code role} passed with a weak gate verdict, so its escalation target {@code likelyNext} is
     * likely to be asked soon: a signal for predictive prefetch. Ignored by policies that do not forecast.
     */
    default void onWeakAnswer(double nowSeconds, String role, String likelyNext) {
    }

    /**
     * The overflow rule this policy's request path applies (requests that would wait far past their objective on a busy
     * hot role go to its hot fallback), with its own budget; empty for policies that only place weights — the peers
     * modelled here route every request to its own role — and for a planner whose deployment turned the rule off.
     */
    default java.util.Optional<Overflow> overflow() {
        return java.util.Optional.empty();
    }

    /**
     * What the policy believes now, for {@code GET /admin/residency} and the dashboard: e.g. per-role demand
     * forecasts, LRU order or scores. Values must serialise as JSON (maps, lists, numbers, strings).
     */
    default java.util.Map<String, Object> explain() {
        return java.util.Map.of();
    }
}
