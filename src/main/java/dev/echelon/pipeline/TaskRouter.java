package dev.echelon.pipeline;

import dev.echelon.routing.RoutingDecision;

/**
 * What the pipeline needs from complexity routing: the task category of a request (it picks the escalation chain
 * and keys the skill tracker), the decision for {@code model: auto}, and the outcome of every judged attempt to learn
 * from. Explicit roles and tiers never reach {@link #routeAuto}.
 */
public interface TaskRouter {

    /** A request's category, with whatever the router needs to remember about it until its outcome. */
    record Classified(String category, Object state) {
    }

    /** Categorises; {@code forRouting} when the request is {@code auto} and a full routing decision follows. */
    Classified classify(GenerationCall call, boolean forRouting);

    RoutingDecision routeAuto(GenerationCall call, Classified classified);

    /** A judged attempt: {@code role} answered well (or not); {@code weight} 1 for a gate verdict. */
    void outcome(Classified classified, String role, boolean success, double weight);
}
