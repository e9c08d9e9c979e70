package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.routing.RoutingDecision;

/**
 * Where the pipeline delivers a request's answer; the API implements it for JSON and for server-sent events.
 * Calls arrive in this order: {@code routed}, optionally {@code waiting}, then either {@code json}, or
 * {@code chunk}… {@code end}, or {@code fail} at any point after {@code routed} (or without it).
 */
public interface ResponseSink {

    /** The role is chosen: headers can name it. */
    void routed(RoutingDecision decision);

    /** The request waits for a slot; {@code loading} when the role's model is still loading. */
    void waiting(boolean loading);

    /**
     * Echelon runs its own tools for the request (a sandboxed program can take seconds): a stream may show it is
     * alive. Nothing of the tool round itself reaches the client.
     */
    default void runningTools() {
    }

    /** The whole answer of a non-streamed request. */
    void json(ObjectNode body);

    /** One event of a streamed answer, as the backend produced it. */
    void chunk(ObjectNode chunk);

    /** The stream is complete. */
    void end();

    /** The request failed (before or during the answer). */
    void fail(Rejection rejection);
}
