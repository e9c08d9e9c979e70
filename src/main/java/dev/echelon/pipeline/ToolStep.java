package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.tools.Tool;
import dev.echelon.tools.ToolContext;
import dev.echelon.tools.ToolRegistry;
import dev.echelon.tools.ToolResult;
import dev.echelon.tools.LimitHit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Step 4's tool half: which of Echelon's own tools a generation is offered, and running the calls a model made to
 * them. The Pipeline sequences the rounds; this class knows the OpenAI message shapes and the tool registry.
 */
final class ToolStep {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ToolRegistry registry;
    /** Tool calls block (a sandboxed run takes up to its wall clock): never on an event loop or an HTTP thread. */
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "echelon-tool");
        t.setDaemon(true);
        return t;
    });

    ToolStep(ToolRegistry registry) {
        this.registry = registry;
    }

    int maxRounds() {
        return registry.maxRounds();
    }

    /**
     * Echelon's tools to offer for {@code call} on {@code role}: those the role is allowed, unless the request opted
     * out or is not a chat; a tool the client declared under the same name is the client's, so Echelon's is not
     * offered.
     */
    List<Tool> offered(GenerationCall call, String role) {
        if (!call.serverTools() || call.endpoint() != Endpoint.CHAT) {
            return List.of();
        }
        List<Tool> allowed = registry.allowedFor(role);
        if (allowed.isEmpty()) {
            return allowed;
        }
        Set<String> clients = clientToolNames(call.body());
        return allowed.stream().filter(t -> !clients.contains(t.name())).toList();
    }

    private static Set<String> clientToolNames(JsonNode body) {
        Set<String> names = new HashSet<>();
        for (JsonNode t : body.path("tools")) {
            names.add(t.path("function").path("name").asText(""));
        }
        return names;
    }

    /** The tool conversation of one attempt: the client's body, the messages the rounds added, the calls run. */
    static final class Conversation {
        private final ObjectNode clientBody;
        private final List<Tool> offered;
        private final ArrayNode added = F.arrayNode();
        private final List<ToolRun> runs = new ArrayList<>();
        private long promptTokens;
        private long completionTokens;

        Conversation(ObjectNode clientBody, List<Tool> offered) {
            this.clientBody = clientBody;
            this.offered = List.copyOf(offered);
        }

        Set<String> names() {
            Set<String> out = new LinkedHashSet<>();
            offered.forEach(t -> out.add(t.name()));
            return out;
        }

        List<Tool> offered() {
            return offered;
        }

        /** The rounds so far: their calls and tokens. */
        ToolRounds rounds() {
            return new ToolRounds(runs, promptTokens, completionTokens);
        }

        /** The next round's body with Echelon's tools after the client's. */
        ObjectNode offering() {
            ObjectNode body = withMessages();
            ArrayNode tools = body.has("tools") && body.get("tools").isArray() ? (ArrayNode) body.get("tools")
                    : body.putArray("tools");
            offered.forEach(t -> tools.add(ToolRegistry.definition(t)));
            return body;
        }

        /**
         * The closing round's body when the rounds are spent: the client's tools only. Without any, the model is
         * told not to call tools, so its answer is text that takes the results up.
         */
        ObjectNode withholding() {
            ObjectNode body = withMessages();
            if (!body.has("tools")) {
                body.put("tool_choice", "none");
            }
            return body;
        }

        private ObjectNode withMessages() {
            ObjectNode body = clientBody.deepCopy();
            ((ArrayNode) body.get("messages")).addAll(added.deepCopy());
            return body;
        }

        void append(ObjectNode assistant, JsonNode usage, List<ObjectNode> toolMessages, List<ToolRun> ran) {
            added.add(assistant);
            toolMessages.forEach(added::add);
            runs.addAll(ran);
            if (usage != null) {
                promptTokens += usage.path("prompt_tokens").asLong(0);
                completionTokens += usage.path("completion_tokens").asLong(0);
            }
        }
    }

    /** What one round of calls produced: a {@code tool} message per call, in order, and what x_echelon reports. */
    record Ran(List<ObjectNode> messages, List<ToolRun> runs) {
    }

    /** Runs the calls of {@code assistant} in order, off the calling thread. */
    CompletableFuture<Ran> run(ObjectNode assistant, List<Tool> offered, ToolContext context) {
        return CompletableFuture.supplyAsync(() -> runNow(assistant, offered, context), workers);
    }

    private Ran runNow(ObjectNode assistant, List<Tool> offered, ToolContext context) {
        List<ObjectNode> messages = new ArrayList<>();
        List<ToolRun> runs = new ArrayList<>();
        long deadline = System.nanoTime() + context.remaining().toNanos();
        for (JsonNode call : assistant.path("tool_calls")) {
            String name = call.path("function").path("name").asText("");
            Tool tool = offered.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
            long start = System.nanoTime();
            ToolContext left = new ToolContext(context.requestId(), context.role(),
                    java.time.Duration.ofNanos(Math.max(0, deadline - start)));
            ToolResult r = registry.call(tool, call.path("function").path("arguments").asText(""), left);
            long ms = (System.nanoTime() - start) / 1_000_000;
            runs.add(new ToolRun(name, r.ok(), ms,
                    r.limit() == LimitHit.NONE ? null : r.limit().name().toLowerCase(Locale.ROOT)));
            ObjectNode m = F.objectNode().put("role", "tool").put("tool_call_id", call.path("id").asText(""));
            m.put("content", r.content());
            messages.add(m);
        }
        return new Ran(messages, runs);
    }
}
