package dev.echelon.simulate;

import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.policy.RequestCost;

/**
 * What happened to one request in a replay.
 *
 * @param servedBy      the role that served it (its own, or its fallback when its role was in S6); null if it was
 *                      still waiting when the replay ended
 * @param placement     where the serving role was while it served (null if unserved)
 * @param startSeconds  when a slot took it (prefill began); NaN if unserved
 * @param ttftSeconds   arrival to first token: queueing for a slot or a load, plus prefill; for an unserved request,
 *                      the time it had waited when the replay ended (a lower bound)
 * @param tpotSeconds   seconds per output token (NaN if unserved)
 * @param finishSeconds when its last token came out (the replay's end if unserved)
 */
public record RequestOutcome(Request request, String servedBy, RolePlacement placement, double startSeconds,
        double ttftSeconds,
        double tpotSeconds, double finishSeconds) {

    public static RequestOutcome unserved(Request r, double endSeconds) {
        return new RequestOutcome(r, null, null, Double.NaN, endSeconds - r.arrivalSeconds(), Double.NaN,
                endSeconds);
    }

    public boolean served() {
        return servedBy != null;
    }

    /** Served by another role because its own was substituted (S6). */
    public boolean byFallback() {
        return served() && !servedBy.equals(request.role());
    }

    /** Served with every layer in GPU memory (S0 or S1). */
    public boolean gpuHit() {
        return served() && placement.state().ordinal() <= 1;
    }

    /** End-to-end latency: arrival to last token (for an unserved request, to the replay's end). */
    public double latencySeconds() {
        return finishSeconds - request.arrivalSeconds();
    }

    /** The request's latency cost, the optimum's objective; an unserved one costs the time it waited. */
    public double cost(RequestCost c) {
        return served() ? c.of(ttftSeconds, tpotSeconds, request.outputTokens(), byFallback()) : ttftSeconds;
    }
}
