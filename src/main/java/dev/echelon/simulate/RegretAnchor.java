package dev.echelon.simulate;

import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What regret on one trace is measured against: the cheapest schedule replayed on it. That is the offline optimum's
 * own, unless another policy's replay costs less — which happens: the optimum's programme holds a placement for a
 * whole window, tables each role's backlog by the placement it is held at rather than by the path that led there,
 * and refuses a move still draining at the next boundary, and those approximations cost it up to 10 % on some
 * traces without speculation (bursts and scan, seed 42) and about 20 % with a fast coder (workday and drift at
 * α 0.82), where {@code ttl-lru}, which never substitutes, beats it. A regret measured against a schedule that
 * a peer beats is no regret at all; a policy knowing the trace could replay every schedule here and keep the
 * cheapest, so that is the anchor. It is an upper bound on the true optimum's mean cost, so every regret against it is
 * a lower bound on the regret against the true optimum — never negative. It is the cheapest of the policies named in
 * the run: a run of fewer of them ({@code --policies planner,optimum}) can have a dearer anchor, and lower regrets,
 * than the full run on the same trace.
 *
 * @param policy   the policy whose replay is the anchor ({@link OfflineOptimum#NAME} unless one beat it)
 * @param meanCost its mean {@link RequestCost}
 */
public record RegretAnchor(String policy, double meanCost) {

    /**
     * The cheapest of {@code runs}, ties going to the optimum; empty when the optimum is not among them (regret is
     * measured only in runs that include it, as before: without it the anchor would be just the best peer).
     */
    public static Optional<RegretAnchor> cheapest(List<RunResult> runs, RequestCost cost) {
        if (runs.stream().noneMatch(r -> r.policy().equals(OfflineOptimum.NAME))) {
            return Optional.empty();
        }
        return runs.stream()
                .map(r -> new RegretAnchor(r.policy(), PolicyMetrics.meanCost(r, cost)))
                .min(Comparator.comparingDouble(RegretAnchor::meanCost)
                        .thenComparing(RegretAnchor::beatsTheOptimum)); // false first: a tie goes to the optimum
    }

    /** (cost − anchor) / anchor: 0.10 = 10 % above the cheapest schedule found; NaN for an anchor that costs 0. */
    public double regretOf(double cost) {
        return meanCost > 0 ? (cost - meanCost) / meanCost : Double.NaN;
    }

    /** Whether a policy other than the optimum anchors regret: the optimum's replay was beaten on this trace. */
    public boolean beatsTheOptimum() {
        return beatsTheOptimum(policy);
    }

    /**
     * What a table writes after a regret measured against {@code anchor}'s replay: " (vs ttl-lru)" where that is not
     * the optimum's, nothing where it is or where there is no anchor (null).
     */
    public static String note(String anchor) {
        return anchor != null && beatsTheOptimum(anchor) ? " (vs " + anchor + ")" : "";
    }

    private static boolean beatsTheOptimum(String anchor) {
        return !anchor.equals(OfflineOptimum.NAME);
    }
}
