package dev.echelon.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.api.ChatValidator;
import dev.echelon.config.EchelonConfig;
import dev.echelon.memory.MemoryMode;
import dev.echelon.pipeline.Endpoint;
import dev.echelon.pipeline.Execution;
import dev.echelon.pipeline.GenerationCall;
import dev.echelon.pipeline.Pipeline;
import dev.echelon.pipeline.Rejection;
import dev.echelon.pipeline.RequestContext;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code chat}: a completion through Echelon's whole pipeline — routing ({@code auto} unless the agent names a role
 * or tier), memory, the quality gate and escalation, speculation — exactly as a {@code /v1/chat/completions} request
 * of the same key would be served. The answer comes back as text, followed by what Echelon did ({@code x_echelon}:
 * role, tier, why it was chosen, escalations) and the token usage as JSON.
 */
@ApplicationScoped
public class ChatTool implements McpTool {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Instance<Pipeline> pipeline; // built with the request path, after startup
    private final long waitMs;

    public ChatTool(Instance<Pipeline> pipeline, EchelonConfig config) {
        this.pipeline = pipeline;
        // the pipeline bounds its own work by the request deadline and the queue wait; this only guards against a hang
        this.waitMs = config.escalation().deadlineMs() + config.api().maxQueueWaitMs() + 30_000;
    }

    @Override
    public String name() {
        return "chat";
    }

    @Override
    public String description() {
        return "Ask Echelon's team of local models. By default Echelon routes the prompt to the cheapest role likely to "
                + "answer it well (front door, workers, experts), checks the answer and escalates when it is weak. "
                + "Name a role (e.g. coder, math) or a tier model to choose yourself; list_roles shows them.";
    }

    @Override
    public ObjectNode inputSchema() {
        ObjectNode s = F.objectNode().put("type", "object");
        ObjectNode p = s.putObject("properties");
        p.putObject("prompt").put("type", "string").put("minLength", 1).put("description", "The user message.");
        p.putObject("system").put("type", "string").put("description", "An optional system message.");
        p.putObject("role").put("type", "string").put("minLength", 1)
                .put("description", "auto (default), a role name or a tier model id from list_roles.");
        p.putObject("max_tokens").put("type", "integer").put("minimum", 1).put("maximum", 32768)
                .put("description", "Most tokens to generate.");
        p.putObject("temperature").put("type", "number").put("minimum", 0).put("maximum", 2);
        s.putArray("required").add("prompt");
        s.put("additionalProperties", false);
        return s;
    }

    @Override
    public ToolResponse call(McpCall call) {
        ObjectNode body = F.objectNode().put("model", call.optionalString("role").orElse("auto"));
        ArrayNode messages = body.putArray("messages");
        call.optionalString("system").ifPresent(sys -> messages.addObject().put("role", "system").put("content", sys));
        messages.addObject().put("role", "user").put("content", call.string("prompt"));
        if (call.arguments().has("max_tokens")) {
            body.put("max_tokens", call.integer("max_tokens", 0));
        }
        if (call.arguments().has("temperature")) {
            body.put("temperature", call.number("temperature", 0));
        }
        ObjectNode valid;
        try {
            valid = ChatValidator.validate(body);
        } catch (Rejection r) {
            throw new McpToolFailure(r.getMessage());
        }
        RequestContext ctx = new RequestContext(call.requestId(), call.principal(), System.nanoTime());
        GenerationCall generation = new GenerationCall(ctx, Endpoint.CHAT, valid.get("model").textValue(), valid,
                false, false, MemoryMode.ON, List.of());
        AnswerFuture sink = new AnswerFuture();
        Execution execution = pipeline.get().execute(generation, sink);
        ObjectNode answer;
        try {
            answer = sink.answer().get(waitMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Rejection r) {
                String retry = r.retryAfterSeconds().isPresent() ? " Retry after " + r.retryAfterSeconds()
                        .getAsLong() + " s." : "";
                throw new McpToolFailure(r.getMessage() + retry);
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            execution.cancel();
            throw new McpToolFailure("No answer within " + waitMs / 1000 + " s; the request was cancelled.");
        } catch (InterruptedException e) {
            execution.cancel();
            Thread.currentThread().interrupt();
            throw new McpToolFailure("Interrupted while waiting for the answer.");
        }
        JsonNode message = answer.path("choices").path(0).path("message");
        ObjectNode about = F.objectNode();
        about.set("x_echelon", answer.path("x_echelon"));
        about.set("usage", answer.path("usage"));
        about.put("finish_reason", answer.path("choices").path(0).path("finish_reason").asText());
        return ToolResponse.success(List.of(new TextContent(message.path("content").asText("")),
                new TextContent(about.toString())));
    }
}
