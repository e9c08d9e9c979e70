package dev.echelon.pipeline;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import dev.echelon.routing.RoutingDecision;

import java.util.List;

/** The simplest task router: every request is "general" and {@code auto} goes to the front door. */
final class FrontDoorTaskRouter implements TaskRouter {

    private final ModelRegistry registry;

    FrontDoorTaskRouter(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String categorize(GenerationCall call) {
        return "general";
    }

    @Override
    public RoutingDecision routeAuto(GenerationCall call, String category) {
        RoleSpec front = registry.frontDoor();
        return new RoutingDecision(front.name(), front.tier(), "auto: front door", 0.5, List.of());
    }

    @Override
    public void outcome(GenerationCall call, String category, String role, boolean success) {
        // nothing learned
    }
}
