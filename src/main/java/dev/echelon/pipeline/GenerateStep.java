package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.backend.BackendCancelledException;
import dev.echelon.backend.BackendException;
import dev.echelon.backend.BackendHttpException;
import dev.echelon.backend.BackendLoadingException;
import dev.echelon.backend.BackendTimeoutException;
import dev.echelon.backend.BackendUnavailableException;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.backend.StreamHandle;
import dev.echelon.backend.StreamListener;
import dev.echelon.routing.RoutingDecision;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Step 4: relay the request to the leased instance and the answer back. Streams are relayed event by event as the
 * backend produces them — never gathered into a whole answer. Only the closing events (the one with the
 * finish_reason and llama-server's usage event) are held until the end, because {@code x_echelon} rides on the last
 * event and needs the timings that arrive in it.
 */
final class GenerateStep {

    CompletableFuture<GenerationResult> generate(GenerationCall call, RoutingDecision decision, Lease lease,
            Execution execution) {
        ObjectNode body = call.body().deepCopy();
        body.put("model", decision.role());
        LlamaServerClient client = lease.instance().client().withRequestId(call.context().requestId());
        if (call.stream()) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true); // Echelon needs usage even if the client doesn't
            Relay relay = new Relay(call, decision, lease, execution.sink());
            StreamHandle handle = client.openAiStream(call.endpoint().backendPath(), body, relay);
            execution.generatingWith(handle::cancel);
            return relay.result;
        }
        body.remove("stream");
        body.remove("stream_options");
        CompletableFuture<ObjectNode> answer = client.openAiJson(call.endpoint().backendPath(), body);
        execution.generatingWith(answer);
        return answer.handle((json, error) -> {
            if (error != null) {
                throw new CompletionException(toRejection(unwrap(error), decision));
            }
            JsonNode timings = json.remove("timings");
            EchelonMeta meta = EchelonMeta.of(call.context(), decision, lease, timings);
            json.put("model", call.model());
            json.set("x_echelon", meta.toJson());
            execution.sink().json(json);
            return new GenerationResult(lease.instance().id(), finishReason(json), json.get("usage"), timings, 0, meta);
        });
    }

    /** Relays one stream's events to the sink. All callbacks of one stream come from one thread. */
    private static final class Relay implements StreamListener<ObjectNode> {
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        private final GenerationCall call;
        private final RoutingDecision decision;
        private final Lease lease;
        private final ResponseSink sink;
        private ObjectNode finish;
        private ObjectNode usage;
        private int chunks;

        Relay(GenerationCall call, RoutingDecision decision, Lease lease, ResponseSink sink) {
            this.call = call;
            this.decision = decision;
            this.lease = lease;
            this.sink = sink;
        }

        @Override
        public void onEvent(ObjectNode event) {
            event.put("model", call.model());
            JsonNode choices = event.get("choices");
            if (event.has("usage") && (choices == null || choices.isEmpty())) {
                usage = event;
                return;
            }
            if (finishReason(event) != null) {
                finish = event;
                return;
            }
            chunks++;
            sink.chunk(event);
        }

        @Override
        public void onComplete() {
            if (finish == null) {
                result.completeExceptionally(Rejection.backend(502, "server_error", "backend_error",
                        "Role '" + decision.role() + "' backend ended the stream without a finish_reason", null));
                return;
            }
            JsonNode timings = usage != null ? usage.remove("timings") : finish.remove("timings");
            EchelonMeta meta = EchelonMeta.of(call.context(), decision, lease, timings);
            if (call.includeUsage() && usage != null) {
                sink.chunk(finish);
                usage.set("x_echelon", meta.toJson());
                sink.chunk(usage);
            } else {
                finish.set("x_echelon", meta.toJson());
                sink.chunk(finish);
            }
            sink.end();
            result.complete(new GenerationResult(lease.instance().id(), finishReason(finish),
                    usage == null ? null : usage.get("usage"), timings, chunks, meta));
        }

        @Override
        public void onError(BackendException error) {
            result.completeExceptionally(toRejection(error, decision));
        }
    }

    static String finishReason(JsonNode event) {
        JsonNode choices = event.get("choices");
        if (choices != null) {
            for (JsonNode c : choices) {
                JsonNode f = c.get("finish_reason");
                if (f != null && !f.isNull()) {
                    return f.asText();
                }
            }
        }
        return null;
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** What a client is told when the backend fails; never the backend's internals beyond its own message. */
    static Rejection toRejection(Throwable t, RoutingDecision decision) {
        String role = decision.role();
        if (t instanceof Rejection r) {
            return r;
        }
        if (t instanceof BackendCancelledException e) {
            return Rejection.backend(499, "invalid_request_error", "client_closed", "request cancelled", e);
        }
        if (t instanceof BackendLoadingException e) {
            return Rejection.unavailable("Role '" + role + "' is loading its model; retry shortly", 2);
        }
        if (t instanceof BackendTimeoutException e) {
            return Rejection.backend(504, "server_error", "timeout", "Role '" + role + "' timed out ("
                    + e.phase().name().toLowerCase().replace('_', ' ') + " after " + e.timeout().toMillis() + " ms)", e);
        }
        if (t instanceof BackendUnavailableException e) {
            return Rejection.unavailable("Role '" + role + "' backend is unavailable: " + e.detail(), 2);
        }
        if (t instanceof BackendHttpException e) {
            if (e.statusCode() >= 400 && e.statusCode() < 500) {
                return Rejection.backend(e.statusCode() == 404 ? 400 : e.statusCode(),
                        e.errorType() == null ? "invalid_request_error" : e.errorType(), "backend_rejected",
                        e.serverMessage() == null ? e.detail() : e.serverMessage(), e);
            }
            return Rejection.backend(502, "server_error", "backend_error", "Role '" + role + "' backend failed: "
                    + (e.serverMessage() == null ? "HTTP " + e.statusCode() : e.serverMessage()), e);
        }
        if (t instanceof BackendException e) {
            return Rejection.backend(502, "server_error", "backend_error", "Role '" + role + "' backend failed: "
                    + e.detail(), e);
        }
        return Rejection.backend(500, "server_error", "internal_error", "Internal error while generating", t);
    }
}
