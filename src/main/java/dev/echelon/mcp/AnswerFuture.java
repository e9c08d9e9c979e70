package dev.echelon.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.pipeline.Rejection;
import dev.echelon.pipeline.ResponseSink;
import dev.echelon.routing.RoutingDecision;

import java.util.concurrent.CompletableFuture;

/**
 * A {@link ResponseSink} for a non-streamed request made on an agent's behalf: it completes with the whole answer,
 * or exceptionally with the pipeline's {@link Rejection}.
 */
final class AnswerFuture implements ResponseSink {

    private final CompletableFuture<ObjectNode> answer = new CompletableFuture<>();

    CompletableFuture<ObjectNode> answer() {
        return answer;
    }

    @Override
    public void routed(RoutingDecision decision) {
    }

    @Override
    public void waiting(boolean loading) {
    }

    @Override
    public void json(ObjectNode body) {
        answer.complete(body);
    }

    @Override
    public void chunk(ObjectNode chunk) {
        answer.completeExceptionally(new IllegalStateException("a streamed chunk for a non-streamed request"));
    }

    @Override
    public void end() {
        answer.completeExceptionally(new IllegalStateException("a stream ended for a non-streamed request"));
    }

    @Override
    public void fail(Rejection rejection) {
        answer.completeExceptionally(rejection);
    }
}
