package dev.echelon.simulate;

import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Generates a family's trace and replays it under each named policy; if the optimum is named, the cheapest replay
 * (the optimum's, unless a policy beat it) anchors regret ({@link RegretAnchor}). On a
 * shifting family run with the optimum and a peer, it also measures what a clairvoyant schedule aimed at the target
 * reaches ({@link TailReach}).
 */
public final class SimulationSuite {

    /**
     * One family: its trace, each policy's replay and figures, in the order the policies were named, the same
     * trace with memory no constraint (the headroom every policy has), the reach of a clairvoyant schedule
     * aimed at the target, where it was measured, and what regret was measured against, where it was.
     */
    public record FamilyResult(Trace trace, List<RunResult> runs, List<PolicyMetrics> metrics,
            UnlimitedMemory.Result unlimited, Optional<TailReach.Result> tailReach, Optional<RegretAnchor> anchor) {
    }

    private final ResidencyModel model;
    private final Simulator simulator;
    private final TraceGenerator generator;
    private final PolicyCatalog catalog;
    private final RequestCost cost;
    private final UnlimitedMemory unlimited;
    private final TailReach tailReach;

    /** @param optimum the settings the catalog's optimum was built with: its request cost is what regret measures */
    public SimulationSuite(ResidencyModel model, Simulator.Settings settings, PolicyCatalog catalog,
            OfflineOptimum.Settings optimum) {
        this.cost = optimum.cost();
        this.model = model;
        this.simulator = new Simulator(model, settings);
        this.generator = new TraceGenerator(model);
        this.catalog = catalog;
        this.unlimited = new UnlimitedMemory(model, settings, cost);
        this.tailReach = new TailReach(model, settings, optimum);
    }

    public FamilyResult run(TraceFamily family, long seed, double durationSeconds, List<String> policies) {
        Trace trace = generator.generate(family, seed, durationSeconds);
        List<RunResult> runs = new ArrayList<>();
        for (String name : policies) {
            long t0 = System.nanoTime();
            ResidencyPolicy policy = catalog.create(name, model, trace);
            double prepare = (System.nanoTime() - t0) / 1e9;
            runs.add(simulator.run(policy, trace).withPrepareSeconds(prepare));
        }
        RunResult optimum = runs.stream().filter(r -> r.policy().equals(OfflineOptimum.NAME)).findFirst()
                .orElse(null);
        Optional<RegretAnchor> anchor = RegretAnchor.cheapest(runs, cost);
        List<PolicyMetrics> metrics = runs.stream()
                .map(r -> PolicyMetrics.of(model, cost, r, optimum, anchor.orElse(null))).toList();
        Optional<PolicyMetrics> bestPeer = TargetCheck.bestPeer(metrics);
        Optional<TailReach.Result> reach = optimum != null && anchor.isPresent() && family.shifting()
                && bestPeer.isPresent()
                ? Optional.of(tailReach.reach(trace, bestPeer.get().p95Ttft(), optimum, anchor.get()))
                : Optional.empty();
        return new FamilyResult(trace, runs, metrics, unlimited.replay(trace), reach, anchor);
    }

    public ResidencyModel model() {
        return model;
    }
}
