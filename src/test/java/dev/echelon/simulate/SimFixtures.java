package dev.echelon.simulate;

import dev.echelon.cost.CostModel;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.ResidentRole;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;

/** The shipped registry as the residency model sees it, and small helpers for simulator tests. */
public final class SimFixtures {

    public static final ModelRegistry REGISTRY = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false)
            .load(Path.of("model_registry.yaml"));

    public static final ResidencyModel MODEL = ResidencyModel.of(REGISTRY, new Budgets(
            REGISTRY.residency().gpuBytes(), REGISTRY.residency().hostRamBytes()), new CostModel());

    private SimFixtures() {
    }

    /** The shipped roles with other budgets. */
    public static ResidencyModel withBudgets(long gpuBytes, long hostBytes) {
        return new ResidencyModel(List.copyOf(MODEL.roles().values()), new Budgets(gpuBytes, hostBytes),
                new CostModel());
    }

    /** Only the named roles of the shipped registry (their fallbacks must be among them), with other budgets. */
    public static ResidencyModel subset(List<String> names, long gpuBytes, long hostBytes) {
        List<ResidentRole> roles = names.stream().map(MODEL::role).toList();
        return new ResidencyModel(roles, new Budgets(gpuBytes, hostBytes), new CostModel());
    }

    public static Trace trace(List<Request> requests, double duration) {
        return new Trace(TraceFamily.STEADY, 0, duration, requests);
    }

    /** A policy whose target is a function of the time and of the role asking (null on a tick). */
    public static ResidencyPolicy scripted(BiFunction<Double, String, Placement> target) {
        return new ResidencyPolicy() {
            @Override
            public String name() {
                return "scripted";
            }

            @Override
            public Decision onRequest(Observation now, String role) {
                return Decision.keep(target.apply(now.nowSeconds(), role), "scripted");
            }

            @Override
            public Decision onTick(Observation now) {
                return Decision.keep(target.apply(now.nowSeconds(), null), "scripted");
            }
        };
    }
}
