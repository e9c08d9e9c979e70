package dev.echelon.simulate;

import dev.echelon.residency.policy.OfflineOptimum;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The target on one family: the planner's p95 TTFT beats every peer's by at least 30 %, and its regret
 * against the offline optimum is at most 10 %. Peers are the policies that are neither the planner nor the optimum.
 *
 * @param bestPeer    the peer with the lowest p95 TTFT
 * @param p95Gain     1 − planner p95 / best peer p95 (0.30 = 30 % lower)
 */
public record TargetCheck(String family, boolean shifting, String bestPeer, double bestPeerP95, double plannerP95,
        double p95Gain, double plannerRegret, boolean p95Met, boolean regretMet) {

    public static final double P95_GAIN = 0.30;
    public static final double MAX_REGRET = 0.10;

    public static Optional<TargetCheck> of(SimulationSuite.FamilyResult f) {
        List<PolicyMetrics> m = f.metrics();
        Optional<PolicyMetrics> planner = m.stream().filter(x -> x.policy().equals(PolicyCatalog.PLANNER)).findFirst();
        Optional<PolicyMetrics> best = m.stream()
                .filter(x -> !Set.of(PolicyCatalog.PLANNER, OfflineOptimum.NAME).contains(x.policy()))
                .min(java.util.Comparator.comparingDouble(PolicyMetrics::p95Ttft));
        if (planner.isEmpty() || best.isEmpty()) {
            return Optional.empty();
        }
        PolicyMetrics p = planner.get();
        PolicyMetrics b = best.get();
        double gain = b.p95Ttft() > 0 ? 1 - p.p95Ttft() / b.p95Ttft() : 0;
        return Optional.of(new TargetCheck(f.trace().family().id(), f.trace().family().shifting(), b.policy(),
                b.p95Ttft(), p.p95Ttft(), gain, p.regret(), gain >= P95_GAIN,
                !Double.isNaN(p.regret()) && p.regret() <= MAX_REGRET));
    }
}
