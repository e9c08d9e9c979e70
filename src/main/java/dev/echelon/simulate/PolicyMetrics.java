package dev.echelon.simulate;

import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.Slo;
import dev.echelon.residency.policy.RequestCost;
import dev.echelon.stats.Percentile;

import java.util.Arrays;
import java.util.List;

/**
 * The figures of one policy on one trace family. TTFT percentiles include unserved requests at the time they had
 * waited when the replay ended (a lower bound, so a policy that strands requests cannot look good).
 *
 * @param ttftSlo        share of requests whose TTFT met their tier's {@link Slo}
 * @param tpotSlo        share of requests whose time per output token met their tier's {@link Slo} (unserved: miss)
 * @param gbMoved        GB (10⁹ bytes) read from NVMe plus uploaded to the GPU by transitions
 * @param gpuHitRate     share of requests served with every layer in GPU memory (S0/S1)
 * @param fallbackShare  share of requests served by their role's fallback (role in S6)
 * @param meanLatency    mean end-to-end latency (arrival → last token)
 * @param meanCost       mean {@link RequestCost} (TTFT + ¼ decode time + 30 s per substituted request), the
 *                       quantity the optimum minimises
 * @param regret         (meanCost − the anchor's) / the anchor's, the anchor being the cheapest schedule replayed on
 *                       the trace ({@link RegretAnchor}); NaN without an optimum run
 * @param p95VsOptimum   p95 TTFT / the optimum's p95 TTFT; NaN without an optimum run
 * @param prepareSeconds wall-clock seconds to build the policy (the optimum's DP solve)
 * @param replaySeconds  wall-clock seconds of the replay
 * @param policyMicrosPerCall mean wall-clock microseconds per policy call during the replay
 */
public record PolicyMetrics(String family, String policy, int requests, double p50Ttft, double p95Ttft,
        double p99Ttft, double ttftSlo, double tpotSlo, int transitions, double gbMoved, double gpuHitRate,
        double fallbackShare, int unserved, int refusals, double meanLatency, double meanCost, double regret,
        double p95VsOptimum, double prepareSeconds, double replaySeconds, double policyMicrosPerCall) {

    /**
     * @param optimum the optimum's replay of the same trace, or null: what {@code p95VsOptimum} compares with
     * @param anchor  what regret is measured against, or null for none
     */
    public static PolicyMetrics of(ResidencyModel model, RequestCost cost, RunResult run, RunResult optimum,
            RegretAnchor anchor) {
        List<RequestOutcome> out = run.outcomes();
        double[] ttft = out.stream().mapToDouble(RequestOutcome::ttftSeconds).sorted().toArray();
        int n = out.size();
        long ttftOk = out.stream().filter(o -> o.served()
                && o.ttftSeconds() <= Slo.ttftSeconds(model.role(o.request().role()).tier())).count();
        long tpotOk = out.stream().filter(o -> o.served()
                && o.tpotSeconds() <= Slo.tpotSeconds(model.role(o.request().role()).tier())).count();
        long hits = out.stream().filter(RequestOutcome::gpuHit).count();
        long byFallback = out.stream().filter(RequestOutcome::byFallback).count();
        long unserved = out.stream().filter(o -> !o.served()).count();
        double meanCost = meanCost(run, cost);
        double regret = Double.NaN;
        double p95Ratio = Double.NaN;
        if (anchor != null) {
            regret = anchor.regretOf(meanCost);
        }
        if (optimum != null) {
            double optP95 = Percentile.nearestRank(optimum.outcomes().stream()
                    .mapToDouble(RequestOutcome::ttftSeconds).sorted().toArray(), 0.95);
            p95Ratio = optP95 > 0 ? Percentile.nearestRank(ttft, 0.95) / optP95 : Double.NaN;
        }
        return new PolicyMetrics(run.trace().family().id(), run.policy(), n, Percentile.nearestRank(ttft, 0.50),
                Percentile.nearestRank(ttft, 0.95), Percentile.nearestRank(ttft, 0.99), share(ttftOk, n),
                share(tpotOk, n), run.transitions(),
                run.bytesMoved() / 1e9, share(hits, n), share(byFallback, n), (int) unserved, run.refusals(),
                out.stream().mapToDouble(RequestOutcome::latencySeconds).average().orElse(0), meanCost, regret,
                p95Ratio, run.prepareSeconds(), run.replaySeconds(),
                run.decisions() == 0 ? 0 : run.policySeconds() * 1e6 / run.decisions());
    }

    public static double meanCost(RunResult run, RequestCost cost) {
        return run.outcomes().stream().mapToDouble(o -> o.cost(cost)).average().orElse(0);
    }


    private static double share(long k, int n) {
        return n == 0 ? 1.0 : (double) k / n;
    }

    static double[] sortedTtft(RunResult run) {
        double[] t = run.outcomes().stream().mapToDouble(RequestOutcome::ttftSeconds).toArray();
        Arrays.sort(t);
        return t;
    }
}
