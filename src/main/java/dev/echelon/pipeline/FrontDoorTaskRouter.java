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
    public Classified classify(GenerationCall call, boolean forRouting) {
        return new Classified("general", null);
    }

    @Override
    public RoutingDecision routeAuto(GenerationCall call, Classified classified) {
        RoleSpec front = registry.frontDoor();
        return new RoutingDecision(front.name(), front.tier(), "auto: front door", 0.5, List.of());
    }

    @Override
    public void outcome(Classified classified, String role, boolean success, double weight) {
        // nothing learned
    }
}
