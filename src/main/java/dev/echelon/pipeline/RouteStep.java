package dev.echelon.pipeline;

import dev.echelon.routing.Router;
import dev.echelon.routing.RoutingDecision;
import dev.echelon.routing.UnroutableException;

/** Step 3: choose the role. */
final class RouteStep {

    private final Router router;

    RouteStep(Router router) {
        this.router = router;
    }

    RoutingDecision route(GenerationCall call) {
        try {
            return router.route(call.model());
        } catch (UnroutableException e) {
            throw e.unknown() ? Rejection.unknownModel(e.getMessage())
                    : Rejection.invalid("model", "model_not_supported", e.getMessage());
        }
    }
}
