package dev.echelon.simulate;

import dev.echelon.residency.Overflow;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.control.PlannerConfig;
import dev.echelon.residency.plan.EchelonPlanner;
import dev.echelon.residency.plan.ForecastSettings;
import dev.echelon.residency.plan.HindsightSettings;
import dev.echelon.residency.policy.CountLruPolicy;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RbPolicy;
import dev.echelon.residency.policy.StaticPolicy;
import dev.echelon.residency.policy.SwapOnePolicy;
import dev.echelon.residency.policy.TtlLruPolicy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The policies the simulator can compare, by name; each run gets a fresh instance (policies keep history). */
public final class PolicyCatalog {

    /** Builds a policy for one trace; only the offline optimum reads the trace. */
    @FunctionalInterface
    public interface Factory {
        ResidencyPolicy create(ResidencyModel model, Trace trace);
    }

    /** Echelon's planner (residency/plan), with the planning settings and the overflow the run was given. */
    public static final String PLANNER = "planner";

    private final Map<String, Factory> factories = new LinkedHashMap<>();

    /**
     * Every policy of the comparison, the planner with its default settings ({@link PlannerConfig.Values#DEFAULTS})
     * and overflow ({@link Overflow.Settings#DEFAULTS}).
     */
    public static PolicyCatalog standard(OfflineOptimum.Settings optimum) {
        return standard(optimum, PlannerConfig.Values.DEFAULTS, Optional.of(Overflow.Settings.DEFAULTS));
    }

    /**
     * Every policy of the comparison: the peers, Echelon's planner, and the optimum last.
     *
     * @param planning the planner's dwell, transition cap and horizon, as a deployment sets them
     *                 ({@code ./echelon simulate --planner}); the peers have their own fixed rules
     * @param overflow the planner's overflow rule, as a deployment sets it ({@code ./echelon simulate --overflow});
     *                 empty: none. No peer has one, and the optimum places fallback requests with the whole trace.
     */
    public static PolicyCatalog standard(OfflineOptimum.Settings optimum, PlannerConfig.Values planning,
            Optional<Overflow.Settings> overflow) {
        PolicyCatalog c = new PolicyCatalog();
        c.add(StaticPolicy.NAME, (m, t) -> new StaticPolicy(m));
        c.add(CountLruPolicy.NAME, (m, t) -> new CountLruPolicy(m));
        c.add(TtlLruPolicy.NAME, (m, t) -> new TtlLruPolicy(m));
        c.add(SwapOnePolicy.NAME, (m, t) -> new SwapOnePolicy(m));
        c.add(RbPolicy.NAME, (m, t) -> new RbPolicy(m));
        c.add(PLANNER, (m, t) -> new EchelonPlanner(m, planning.planner(), ForecastSettings.DEFAULTS,
                planning.guardrails(), HindsightSettings.DEFAULTS, Runnable::run, overflow));
        c.add(OfflineOptimum.NAME, (m, t) -> new OfflineOptimum(m, t.known(), t.durationSeconds(), optimum));
        return c;
    }

    public PolicyCatalog add(String name, Factory factory) {
        factories.put(name, factory);
        return this;
    }

    public List<String> names() {
        return List.copyOf(factories.keySet());
    }

    public boolean has(String name) {
        return factories.containsKey(name);
    }

    public ResidencyPolicy create(String name, ResidencyModel model, Trace trace) {
        Factory f = factories.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown policy '" + name + "' (known: " + names() + ")");
        }
        return f.create(model, trace);
    }
}
