package dev.echelon.residency.policy;

import dev.echelon.cost.CostModel;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class PolicyFixtures {

    static final ModelRegistry REGISTRY = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false)
            .load(Path.of("model_registry.yaml"));
    static final ResidencyModel MODEL = ResidencyModel.of(REGISTRY, new Budgets(REGISTRY.residency().gpuBytes(),
            REGISTRY.residency().hostRamBytes()), new CostModel());
    static final long GIB = 1L << 30;

    private PolicyFixtures() {
    }

    static ResidencyModel withGpu(long gpuBytes) {
        return new ResidencyModel(List.copyOf(MODEL.roles().values()), new Budgets(gpuBytes,
                MODEL.budgets().hostRamBytes()), new CostModel());
    }

    static Observation idle(double t, Placement current) {
        return new Observation(t, current, Set.of(), Map.of(), Map.of());
    }

    static long running(Placement p) {
        return p.roles().values().stream().filter(RolePlacement::running).count();
    }
}
