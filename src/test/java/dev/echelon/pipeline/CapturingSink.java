package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.routing.RoutingDecision;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;


/** Records everything the pipeline tells the client; {@link #done} completes on json, end or fail. */
final class CapturingSink implements ResponseSink {

    final List<RoutingDecision> routed = new CopyOnWriteArrayList<>();
    final List<Boolean> waiting = new CopyOnWriteArrayList<>();
    final List<ObjectNode> chunks = new CopyOnWriteArrayList<>();
    /** Every call in order: routed:ROLE, waiting, json, chunk, end, fail:STATUS. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile ObjectNode json;
    volatile Rejection failure;
    volatile int ends;
    volatile int jsons;
    volatile int fails;

    @Override
    public void routed(RoutingDecision decision) {
        routed.add(decision);
        calls.add("routed:" + decision.role());
    }

    @Override
    public void waiting(boolean loading) {
        waiting.add(loading);
        calls.add("waiting");
    }

    @Override
    public void json(ObjectNode body) {
        json = body;
        jsons++;
        calls.add("json");
        done.complete(null);
    }

    @Override
    public void chunk(ObjectNode chunk) {
        chunks.add(chunk.deepCopy());
        calls.add("chunk");
    }

    @Override
    public void end() {
        ends++;
        calls.add("end");
        done.complete(null);
    }

    @Override
    public void fail(Rejection rejection) {
        failure = rejection;
        fails++;
        calls.add("fail:" + rejection.status());
        done.complete(null);
    }

    CapturingSink await(Duration limit) {
        try {
            done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            org.junit.jupiter.api.Assertions.fail("no answer within " + limit.toMillis() + " ms; calls so far: " + calls);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return this;
    }

    /** The {@code x_echelon} of the answer: the JSON body's, or the last chunk's. */
    ObjectNode meta() {
        if (json != null) {
            return (ObjectNode) json.get("x_echelon");
        }
        if (chunks.isEmpty()) {
            return null;
        }
        return (ObjectNode) chunks.get(chunks.size() - 1).get("x_echelon");
    }

    List<String> escalations() {
        ObjectNode meta = meta();
        return meta == null ? List.of() : Answers.JSON.convertValue(meta.path("escalations"),
                Answers.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /** The streamed content, concatenated. */
    String streamedText() {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode c : chunks) {
            c.path("choices").forEach(ch -> {
                if (ch.path("delta").path("content").isTextual()) {
                    sb.append(ch.path("delta").path("content").asText());
                }
            });
        }
        return sb.toString();
    }

    String jsonContent() {
        return json.path("choices").path(0).path("message").path("content").asText();
    }
}
