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
    record Routed(RoutingDecision decision, TaskRouter.Classified classified, String chain) {

        String category() {
            return classified.category();
        }
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
        RoutingDecision decision;
        TaskRouter.Classified classified;
        try {
            if (Router.AUTO.equals(call.model().trim())) {
                classified = tasks.classify(call, true);
                decision = tasks.routeAuto(call, classified);
            } else {
                decision = router.route(call.model()); // unknown models fail before any classification work
                classified = tasks.classify(call, false);
            }
        } catch (UnroutableException e) {
            throw e.unknown() ? Rejection.unknownModel(e.getMessage())
                    : Rejection.invalid("model", "model_not_supported", e.getMessage());
        }
        return new Routed(decision, classified, chainFor(classified.category()));
    }

    /** {@code code} and {@code math} requests climb their own chains; everything else the general one. */
    private String chainFor(String category) {
        if (chains.contains(category)) {
            return category;
        }
        return chains.contains("general") ? "general" : null;
    }
}
