package dev.echelon.residency.policy;

import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;

import java.util.Map;

/**
 * Static pinning: every role stays where the registry's launch settings put it ({@link
 * ResidencyModel#initialPlacement()}), whatever the traffic. This is what a hand-written set of llama-server
 * command lines (or a docker-compose file) gives: each model has its fixed {@code -ngl} and variant, and a model
 * that does not fit next to the others is started on the CPU for good.
 */
public final class StaticPolicy implements ResidencyPolicy {

    public static final String NAME = "static";

    private final Placement placement;

    public StaticPolicy(ResidencyModel model) {
        this.placement = model.initialPlacement();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision onRequest(Observation now, String role) {
        return Decision.keep(placement, "static: launch placement");
    }

    @Override
    public Decision onTick(Observation now) {
        return Decision.keep(placement, "static: launch placement");
    }

    @Override
    public Map<String, Object> explain() {
        return Map.of("placement", placement.toString());
    }
}
