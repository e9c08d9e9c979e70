package dev.echelon.pipeline;

import dev.echelon.routing.RoutingDecision;

/**
 * What the pipeline needs from complexity routing: the task category of a request (it picks the escalation chain
 * and keys the skill tracker), the decision for {@code model: auto}, and the outcome of every judged attempt to learn
 * from. Explicit roles and tiers never reach {@link #routeAuto}.
 */
public interface TaskRouter {

    String categorize(GenerationCall call);

    RoutingDecision routeAuto(GenerationCall call, String category);

    /** A judged attempt: {@code role} answered a {@code category} request well (or not). */
    void outcome(GenerationCall call, String category, String role, boolean success);
}
