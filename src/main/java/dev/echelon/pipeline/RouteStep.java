package dev.echelon.pipeline;

import dev.echelon.routing.Router;
import dev.echelon.routing.RoutingDecision;
import dev.echelon.routing.UnroutableException;

import java.util.Set;

/**
 * Step 3: choose the role. An explicit role or tier is honoured as asked; {@code auto} goes to the task router.
 * Either way the request's category is known afterwards, which picks its escalation chain.
 */
final class RouteStep {

    /** The decision, the request's task category, and the escalation chain that category climbs. */
    record Routed(RoutingDecision decision, String category, String chain) {
    }

    private final Router router;
    private final TaskRouter tasks;
    private final Set<String> chains;

    RouteStep(Router router, TaskRouter tasks, Set<String> chains) {
        this.router = router;
        this.tasks = tasks;
        this.chains = chains;
    }

    Routed route(GenerationCall call) {
        String category = tasks.categorize(call);
        RoutingDecision decision;
        try {
            decision = Router.AUTO.equals(call.model().trim()) ? tasks.routeAuto(call, category)
                    : router.route(call.model());
        } catch (UnroutableException e) {
            throw e.unknown() ? Rejection.unknownModel(e.getMessage())
                    : Rejection.invalid("model", "model_not_supported", e.getMessage());
        }
        return new Routed(decision, category, chainFor(category));
    }

    /** {@code code} and {@code math} requests climb their own chains; everything else the general one. */
    private String chainFor(String category) {
        if (chains.contains(category)) {
            return category;
        }
        return chains.contains("general") ? "general" : null;
    }
}
