package dev.echelon.residency.plan;

import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.Tier;
import dev.echelon.registry.VariantSpec;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Models for planner tests: the shipped registry, and synthetic roles built directly. */
final class PlanFixtures {

    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    private PlanFixtures() {
    }

    static ModelRegistry shippedRegistry() {
        return new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(Path.of("model_registry.yaml"));
    }

    /** The shipped registry with its own budgets (24 GiB GPU, 64 GiB host RAM). */
    static ResidencyModel shippedModel() {
        ModelRegistry r = shippedRegistry();
        return ResidencyModel.of(r, new Budgets(r.residency().gpuBytes(), r.residency().hostRamBytes()),
                new CostModel());
    }

    static Calibration calibration(long referenceBytes) {
        return new Calibration(referenceBytes, 3000, 100, 40, 8, 7e9, 25e9, 500);
    }

    static VariantSpec variant(String name, String quant, long bytes, int layers, long kvPerToken) {
        return new VariantSpec(name, name + ".gguf", quant, bytes, layers, kvPerToken, 32768);
    }

    /**
     * A synthetic role: variants named v0 (largest, Q8) … in decreasing size, starting on the CPU with its smallest
     * variant.
     */
    static ResidentRole role(String name, Tier tier, List<Long> variantBytes, int layers, long kvPerToken, int ctx,
            int parallel, Optional<String> fallback, Optional<ResidencyState> pin, Calibration c) {
        List<VariantSpec> vs = new ArrayList<>();
        List<Long> sorted = variantBytes.stream().sorted((a, b) -> Long.compare(b, a)).toList();
        for (int i = 0; i < sorted.size(); i++) {
            vs.add(variant("v" + i, i == 0 ? "Q8_0" : "Q4_K_M", sorted.get(i), layers, kvPerToken));
        }
        RolePlacement initial = pin.isPresent() ? ResidencyModel.placementFor(vs.get(vs.size() - 1), layers)
                : RolePlacement.cold(vs.get(vs.size() - 1).name());
        return new ResidentRole(name, tier, vs, 1, ctx, parallel, Optional.empty(), c, fallback, pin, initial);
    }

    static Observation idle(double t, Placement current) {
        return new Observation(t, current, Set.of(), Map.of(), Map.of());
    }
}
