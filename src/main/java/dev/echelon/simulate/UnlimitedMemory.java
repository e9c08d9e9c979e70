package dev.echelon.simulate;

import dev.echelon.residency.Budgets;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.policy.RequestCost;
import dev.echelon.residency.policy.StaticPolicy;
import dev.echelon.stats.Percentile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The same trace as if memory were no constraint: every role resident on the GPU for the whole trace, at its fastest
 * variant the precision floors allow, serving its own requests — nothing is ever loaded, evicted or substituted. What
 * is left of the TTFT is each request's own prefill and the wait for its role's slots.
 *
 * <p>This is the headroom any residency policy has. A policy only chooses where weights sit: it cannot make a role's
 * prefill faster or add slots, so unless it serves requests on a fallback role (a faster model that pays the quality
 * penalty per request), its p95 TTFT is no lower than this one. Where this p95 is not 30 % below the best peer's, the
 * p95 half of the target is out of reach for every policy that serves requests on their own role.
 */
public final class UnlimitedMemory {

    /** The replay with unlimited memory: its p95 TTFT and mean request cost. */
    public record Result(double p95Ttft, double meanCost) {
    }

    private final Simulator simulator;
    private final RequestCost cost;

    public UnlimitedMemory(ResidencyModel model, Simulator.Settings settings, RequestCost cost) {
        this.simulator = new Simulator(unlimited(model), settings);
        this.cost = cost;
    }

    public Result replay(Trace trace) {
        RunResult run = simulator.run(new StaticPolicy(simulator.model()), trace);
        double[] ttft = run.outcomes().stream().mapToDouble(RequestOutcome::ttftSeconds).sorted().toArray();
        return new Result(Percentile.nearestRank(ttft, 0.95), PolicyMetrics.meanCost(run, cost));
    }

    /** The model's roles launched at their fastest whole-GPU placement, with budgets that hold all of them. */
    static ResidencyModel unlimited(ResidencyModel model) {
        List<ResidentRole> roles = new ArrayList<>();
        Footprint all = Footprint.ZERO;
        for (ResidentRole r : model.roles().values()) {
            RolePlacement fastest = fastest(model, r.name());
            roles.add(new ResidentRole(r.name(), r.tier(), r.variants(), r.instances(), r.ctxSize(), r.parallel(),
                    r.draft(), r.calibration(), r.fallback(), r.pin(), fastest, r.draftSpeeds()));
            all = all.plus(model.footprint(r.name(), fastest));
        }
        return new ResidencyModel(roles, new Budgets(all.gpuBytes(), all.hostBytes()), model.cost(),
                model.acceptance());
    }

    /**
     * The whole-GPU placement serving a request fastest. Prefill runs at the same speed whatever the variant; the
     * lower-bit variant decodes faster (decoding reads the weights once per token), so it frees its slots sooner.
     */
    static RolePlacement fastest(ResidencyModel model, String role) {
        return model.options(role).stream().filter(p -> model.wholeGpu(role, p))
                .min(Comparator.comparingDouble(p -> model.referenceSeconds(role, p)))
                .orElseThrow(() -> new IllegalStateException("role '" + role + "' has no whole-GPU placement"));
    }
}
