package dev.echelon.speculation;

import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.DraftPairing;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.ModelSpec;

/**
 * The prior for c, a draft token's cost relative to a target pass, before any generation is measured. Decoding is
 * memory-bound, so the ratio of the bytes read per token — the draft's file size over the target's — is a sound
 * first guess; where the registry calibrates both models, the cost model's decode times are used instead. Measured
 * generation times take over from either ({@link PassCost}).
 */
public final class DraftCostPrior {

    private DraftCostPrior() {
    }

    /** The draft-to-target size ratio of {@code target}'s pairing; 0.05 when it has none. */
    public static double bytesRatio(ModelRegistry registry, String target) {
        return models(registry, target).map(m -> (double) m[1].referenceVariant().bytes()
                / Math.max(1, m[0].referenceVariant().bytes())).orElse(0.05);
    }

    /** The cost model's decode-time ratio when both models are calibrated, else {@link #bytesRatio}. */
    public static double costModelRatio(ModelRegistry registry, String target, CostModel cost) {
        return models(registry, target).filter(m -> m[0].mock() != null && m[1].mock() != null).map(m -> {
            double t = cost.decodeSecondsPerToken(Calibration.of(m[0]), m[0].referenceVariant().bytes(), 1.0, 1);
            double d = cost.decodeSecondsPerToken(Calibration.of(m[1]), m[1].referenceVariant().bytes(), 1.0, 1);
            return d / t;
        }).orElseGet(() -> bytesRatio(registry, target));
    }

    private static java.util.Optional<ModelSpec[]> models(ModelRegistry registry, String target) {
        java.util.Optional<DraftPairing> pair = registry.draftFor(target);
        if (pair.isEmpty()) {
            return java.util.Optional.empty();
        }
        java.util.Optional<ModelSpec> t = registry.requireRole(target).model();
        java.util.Optional<ModelSpec> d = registry.requireRole(pair.get().draft()).model();
        return t.isPresent() && d.isPresent() ? java.util.Optional.of(new ModelSpec[] {t.get(), d.get()})
                : java.util.Optional.empty();
    }
}
