package dev.echelon.simulate;

import dev.echelon.residency.policy.OfflineOptimum;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The target on one family: the planner's p95 TTFT beats every peer's by at least 30 %, and its regret is
 * at most 10 %, against the cheapest schedule replayed on the trace ({@link RegretAnchor}: the offline optimum's,
 * unless a policy's replay beat it). Peers are the policies that are neither the planner nor the optimum.
 *
 * @param bestPeer    the peer with the lowest p95 TTFT
 * @param p95Gain     1 − planner p95 / best peer p95 (0.30 = 30 % lower)
 * @param unlimitedP95 p95 TTFT of the same trace with memory no constraint ({@link UnlimitedMemory})
 * @param p95Reachable whether that p95 is itself 30 % below the best peer's: if not, no policy that serves requests
 *                     on their own role can meet the p95 half of the target on this trace
 * @param tailReach    what a clairvoyant schedule aimed at the target reaches ({@link TailReach}); null where it was
 *                     not measured (a family without shifting traffic, or a run without the optimum)
 * @param regretAnchor the policy whose replay regret was measured against; null in a run without the optimum
 */
public record TargetCheck(String family, boolean shifting, String bestPeer, double bestPeerP95, double plannerP95,
        double p95Gain, double plannerRegret, boolean p95Met, boolean regretMet, double unlimitedP95,
        boolean p95Reachable, TailReach.Result tailReach, String regretAnchor) {

    public static final double P95_GAIN = 0.30;
    public static final double MAX_REGRET = 0.10;

    public static Optional<TargetCheck> of(SimulationSuite.FamilyResult f) {
        List<PolicyMetrics> m = f.metrics();
        Optional<PolicyMetrics> planner = m.stream().filter(x -> x.policy().equals(PolicyCatalog.PLANNER)).findFirst();
        Optional<PolicyMetrics> best = bestPeer(m);
        if (planner.isEmpty() || best.isEmpty()) {
            return Optional.empty();
        }
        PolicyMetrics p = planner.get();
        PolicyMetrics b = best.get();
        double gain = gain(p.p95Ttft(), b.p95Ttft());
        double unlimited = f.unlimited().p95Ttft();
        return Optional.of(new TargetCheck(f.trace().family().id(), f.trace().family().shifting(), b.policy(),
                b.p95Ttft(), p.p95Ttft(), gain, p.regret(), gain >= P95_GAIN,
                !Double.isNaN(p.regret()) && p.regret() <= MAX_REGRET, unlimited,
                gain(unlimited, b.p95Ttft()) >= P95_GAIN, f.tailReach().orElse(null),
                f.anchor().map(RegretAnchor::policy).orElse(null)));
    }

    /** The peer with the lowest p95 TTFT: a policy that is neither the planner nor the optimum. */
    static Optional<PolicyMetrics> bestPeer(List<PolicyMetrics> metrics) {
        return metrics.stream()
                .filter(x -> !Set.of(PolicyCatalog.PLANNER, OfflineOptimum.NAME).contains(x.policy()))
                .min(java.util.Comparator.comparingDouble(PolicyMetrics::p95Ttft));
    }

    /** Whether the planner meets both halves of the target on this family. */
    public boolean met() {
        return p95Met && regretMet;
    }

    /** 1 − unlimited-memory p95 / best peer p95: the most any policy serving requests on their own role can gain. */
    public double unlimitedGain() {
        return gain(unlimitedP95, bestPeerP95);
    }

    /** 1 − p95 / the peer's p95: how far below the peer a p95 is (0.30 = 30 % lower). */
    static double gain(double p95, double peerP95) {
        return peerP95 > 0 ? 1 - p95 / peerP95 : 0;
    }
}
