package dev.echelon.simulate;

import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.plan.EchelonPlanner;
import dev.echelon.residency.policy.CountLruPolicy;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RbPolicy;
import dev.echelon.residency.policy.StaticPolicy;
import dev.echelon.residency.policy.SwapOnePolicy;
import dev.echelon.residency.policy.TtlLruPolicy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The policies the simulator can compare, by name; each run gets a fresh instance (policies keep history). */
public final class PolicyCatalog {

    /** Builds a policy for one trace; only the offline optimum reads the trace. */
    @FunctionalInterface
    public interface Factory {
        ResidencyPolicy create(ResidencyModel model, Trace trace);
    }

    /** Echelon's planner (residency/plan), with its default settings. */
    public static final String PLANNER = "planner";

    private final Map<String, Factory> factories = new LinkedHashMap<>();

    /** Every policy of the comparison: the peers, Echelon's planner, and the optimum last. */
    public static PolicyCatalog standard(OfflineOptimum.Settings optimum) {
        PolicyCatalog c = new PolicyCatalog();
        c.add(StaticPolicy.NAME, (m, t) -> new StaticPolicy(m));
        c.add(CountLruPolicy.NAME, (m, t) -> new CountLruPolicy(m));
        c.add(TtlLruPolicy.NAME, (m, t) -> new TtlLruPolicy(m));
        c.add(SwapOnePolicy.NAME, (m, t) -> new SwapOnePolicy(m));
        c.add(RbPolicy.NAME, (m, t) -> new RbPolicy(m));
        c.add(PLANNER, (m, t) -> new EchelonPlanner(m));
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
