package dev.echelon.pipeline;

import dev.echelon.routing.RoutingDecision;

import java.util.Optional;

/**
 * Step 6: decide whether a failed answer goes to another role. Escalation arrives with issue 4; until then nothing
 * is retried and a backend failure reaches the client as an error.
 */
final class EscalateStep {

    Optional<RoutingDecision> next(RoutingDecision current, CheckStep.Verdict verdict, Throwable failure) {
        return Optional.empty();
    }
}
