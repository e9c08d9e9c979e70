package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.tools.Tool;
import dev.echelon.tools.ToolContext;
import dev.echelon.tools.ToolPermission;
import dev.echelon.tools.ToolRegistry;
import dev.echelon.tools.ToolResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Pipeline's tool loop over scripted backends: the backend is told what to answer in each round, so every branch
 * (a server tool round, a client tool passed through, the round bound, malformed arguments, streaming, opting out) is
 * exercised exactly. The server tool here is a small adder, so these tests are about the loop, not the sandbox.
 */
class ToolLoopPipelineTest {

    private static final String ANSWER = "The tool reported the result, so the sum is five. " + Answers.GOOD_TEXT;

    /** A deterministic server-side tool: adds two integers. Records what it was called with. */
    static final class AddTool implements Tool {
        final List<ObjectNode> calls = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "add";
        }

        @Override
        public String description() {
            return "Add two integers";
        }

        @Override
        public ObjectNode parameters() {
            ObjectNode s = Answers.JSON.createObjectNode().put("type", "object");
            s.putObject("properties").putObject("a").put("type", "integer");
            ((ObjectNode) s.get("properties")).putObject("b").put("type", "integer");
            s.putArray("required").add("a").add("b");
            return s;
        }

        @Override
        public Set<ToolPermission> permissions() {
            return Set.of(ToolPermission.COMPUTE);
        }

        @Override
        public ToolResult call(ObjectNode arguments, ToolContext context) {
            calls.add(arguments);
            return ToolResult.ok(Long.toString(arguments.get("a").asLong() + arguments.get("b").asLong()), null);
        }
    }

    private final AddTool add = new AddTool();
    private final SimpleMeterRegistry toolMetrics = new SimpleMeterRegistry();

    private ToolRegistry tools(int maxRounds) {
        return new ToolRegistry(List.of(add), Map.of("coder", List.of("add")), true, maxRounds, toolMetrics);
    }

    /** A backend answer that calls {@code name} with raw {@code arguments}, as JSON or as a stream. */
    static MockResponse toolCall(JsonNode request, String name, String arguments, int n) {
        String id = "call_" + name + "_" + n;
        if (request.path("stream").asBoolean(false)) {
            List<String> events = new ArrayList<>();
            events.add("{\"id\":\"c" + n + "\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":null}]}");
            ObjectNode start = Answers.JSON.createObjectNode().put("id", "c" + n)
                    .put("object", "chat.completion.chunk");
            ObjectNode call = start.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").putArray("tool_calls").addObject().put("index", 0).put("id", id)
                    .put("type", "function");
            call.putObject("function").put("name", name).put("arguments", "");
            events.add(start.toString());
            int half = arguments.length() / 2;
            for (String part : List.of(arguments.substring(0, half), arguments.substring(half))) {
                ObjectNode d = Answers.JSON.createObjectNode().put("id", "c" + n)
                        .put("object", "chat.completion.chunk");
                d.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                        .putArray("tool_calls").addObject().put("index", 0).putObject("function")
                        .put("arguments", part);
                events.add(d.toString());
            }
            events.add("{\"id\":\"c" + n + "\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
            events.add("{\"id\":\"c" + n + "\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                    + "{\"prompt_tokens\":30,\"completion_tokens\":12,\"total_tokens\":42}}");
            StringBuilder sb = new StringBuilder();
            events.forEach(e -> sb.append("data: ").append(e).append("\n\n"));
            sb.append("data: [DONE]\n\n");
            return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sb.toString());
        }
        ObjectNode c = Answers.JSON.createObjectNode().put("id", "chatcmpl-" + n).put("object", "chat.completion")
                .put("created", 1_795_240_401L).put("model", "coder");
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls");
        ObjectNode message = choice.putObject("message").put("role", "assistant").putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject().put("id", id).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        c.putObject("usage").put("prompt_tokens", 30).put("completion_tokens", 12).put("total_tokens", 42);
        return new MockResponse().setHeader("Content-Type", "application/json; charset=utf-8").setBody(c.toString());
    }

    private static List<String> toolNames(JsonNode request) {
        List<String> names = new ArrayList<>();
        request.path("tools").forEach(t -> names.add(t.path("function").path("name").asText()));
        return names;
    }

    private static JsonNode lastMessage(JsonNode request) {
        JsonNode messages = request.path("messages");
        return messages.get(messages.size() - 1);
    }

    private static ObjectNode question() {
        return ScriptedBackends.chatBody("coder", "Please add 2 and 3 with the add tool.", 200);
    }

    @Test
    void aServerToolIsRunAndItsResultFedBackBeforeTheAnswer() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4))
                .script("coder", (req, n) -> n == 0 ? toolCall(req, "add", "{\"a\":2,\"b\":3}", n)
                        : Answers.render(Answers.gen("coder", ANSWER, Answers.HIGH), req, n))
                .build()) {
            CapturingSink sink = b.json("coder", question());
            assertNull(sink.failure, () -> "failed: " + sink.failure);
            assertEquals(ANSWER, sink.jsonContent());
            assertEquals(2, b.requests("coder"), "one tool round, one answer");
            assertEquals(List.of("add"), toolNames(b.backend("coder").request(0)), "the role's tool was offered");
            JsonNode second = b.backend("coder").request(1);
            JsonNode messages = second.path("messages");
            JsonNode assistant = messages.get(messages.size() - 2);
            assertEquals("assistant", assistant.path("role").asText());
            assertEquals("add", assistant.path("tool_calls").path(0).path("function").path("name").asText());
            JsonNode tool = lastMessage(second);
            assertEquals("tool", tool.path("role").asText());
            assertEquals("call_add_0", tool.path("tool_call_id").asText());
            assertEquals("5", tool.path("content").asText(), "the tool's output is fed back");
            assertEquals(1, add.calls.size());
            JsonNode runs = sink.meta().path("tools");
            assertEquals(1, runs.size(), sink.meta().toString());
            assertEquals("add", runs.path(0).path("name").asText());
            assertTrue(runs.path(0).path("ok").asBoolean());
            assertTrue(runs.path(0).has("duration_ms"));
            assertEquals(1.0, toolMetrics.counter("echelon.tool.calls", "tool", "add", "outcome", "ok").count());
            JsonNode usage = sink.json.path("usage");
            int answerTokens = Answers.gen("coder", ANSWER, Answers.HIGH).completionTokens();
            assertEquals(30 + 25, usage.path("prompt_tokens").asInt(), "the tool round's prompt counts: " + usage);
            assertEquals(12 + answerTokens, usage.path("completion_tokens").asInt(), usage.toString());
            assertEquals(30 + 25 + 12 + answerTokens, usage.path("total_tokens").asInt());
        }
    }

    @Test
    void streamedRequestsStreamOnlyTheFinalRound() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4))
                .script("coder", (req, n) -> n == 0 ? toolCall(req, "add", "{\"a\":2,\"b\":3}", n)
                        : Answers.render(Answers.gen("coder", ANSWER, Answers.HIGH), req, n))
                .build()) {
            CapturingSink sink = b.stream("coder", question(), false);
            assertNull(sink.failure, () -> "failed: " + sink.failure);
            assertEquals(ANSWER, sink.streamedText());
            for (ObjectNode chunk : sink.chunks) {
                assertFalse(chunk.path("choices").path(0).path("delta").has("tool_calls"),
                        "no event of the tool round reaches the client: " + chunk);
            }
            assertEquals("5", lastMessage(b.backend("coder").request(1)).path("content").asText());
            assertEquals("add", sink.meta().path("tools").path(0).path("name").asText());
        }
    }

    @Test
    void clientDeclaredToolCallsPassThroughUntouched() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4))
                .script("coder", (req, n) -> toolCall(req, "get_weather", "{\"city\":\"Paris\"}", n))
                .build()) {
            ObjectNode body = ScriptedBackends.chatBody("coder", "What is the weather in Paris?", 200);
            ObjectNode fn = body.putArray("tools").addObject().put("type", "function").putObject("function");
            fn.put("name", "get_weather").put("description", "Weather for a city");
            fn.putObject("parameters").put("type", "object");
            CapturingSink sink = b.json("coder", body);
            assertNull(sink.failure, () -> "failed: " + sink.failure);
            assertEquals("tool_calls", sink.json.path("choices").path(0).path("finish_reason").asText());
            JsonNode call = sink.json.path("choices").path(0).path("message").path("tool_calls").path(0);
            assertEquals("get_weather", call.path("function").path("name").asText());
            assertEquals("{\"city\":\"Paris\"}", call.path("function").path("arguments").asText());
            assertEquals(1, b.requests("coder"), "nothing was run; the client answers its own tool");
            assertEquals(List.of("get_weather", "add"), toolNames(b.backend("coder").request(0)),
                    "the client's tools first, Echelon's after");
            assertTrue(add.calls.isEmpty());
            assertFalse(sink.meta().has("tools"));
        }
    }

    /** One assistant turn that calls Echelon's {@code add} and the client's {@code get_weather} together. */
    static MockResponse bothKinds(JsonNode request, int n) {
        String[][] calls = {{"call_a", "add", "{\"a\":1,\"b\":2}"}, {"call_w", "get_weather", "{\"city\":\"Oslo\"}"}};
        if (request.path("stream").asBoolean(false)) {
            StringBuilder sb = new StringBuilder();
            sb.append("data: {\"id\":\"m\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":null}]}\n\n");
            for (int i = 0; i < calls.length; i++) {
                ObjectNode e = Answers.JSON.createObjectNode().put("id", "m").put("object", "chat.completion.chunk");
                ObjectNode call = e.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").putArray("tool_calls").addObject().put("index", i)
                        .put("id", calls[i][0]).put("type", "function");
                call.putObject("function").put("name", calls[i][1]).put("arguments", calls[i][2]);
                sb.append("data: ").append(e).append("\n\n");
            }
            sb.append("data: {\"id\":\"m\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                    + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
            sb.append("data: {\"id\":\"m\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                    + "{\"prompt_tokens\":30,\"completion_tokens\":20,\"total_tokens\":50}}\n\n");
            sb.append("data: [DONE]\n\n");
            return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sb.toString());
        }
        ObjectNode c = Answers.JSON.createObjectNode().put("id", "chatcmpl-m").put("object", "chat.completion")
                .put("created", 1_795_240_401L).put("model", "coder");
        ObjectNode choice = c.putArray("choices").addObject().put("index", 0).put("finish_reason", "tool_calls");
        ArrayNode list = choice.putObject("message").put("role", "assistant").putNull("content")
                .putArray("tool_calls");
        for (String[] call : calls) {
            list.addObject().put("id", call[0]).put("type", "function").putObject("function").put("name", call[1])
                    .put("arguments", call[2]);
        }
        c.putObject("usage").put("prompt_tokens", 30).put("completion_tokens", 20).put("total_tokens", 50);
        return new MockResponse().setHeader("Content-Type", "application/json; charset=utf-8").setBody(c.toString());
    }

    private static ObjectNode withClientWeatherTool(ObjectNode body) {
        ObjectNode fn = body.putArray("tools").addObject().put("type", "function").putObject("function");
        fn.put("name", "get_weather").put("description", "Weather for a city");
        fn.putObject("parameters").put("type", "object");
        return body;
    }

    /**
     * The model calls Echelon's add and the client's get_weather in one turn, then — having add's result — the
     * client's tool alone: Echelon runs its own part, the client only ever sees the call it declared.
     */
    @Test
    void aTurnMixingServerAndClientToolsRunsEchelonsPartAndTheClientSeesOnlyItsOwn() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4))
                .script("coder", (req, n) -> n % 2 == 0 ? bothKinds(req, n)
                        : toolCall(req, "get_weather", "{\"city\":\"Oslo\"}", n)).build()) {
            CapturingSink json = b.json("coder", withClientWeatherTool(question()));
            assertNull(json.failure, () -> "failed: " + json.failure);
            JsonNode calls = json.json.path("choices").path(0).path("message").path("tool_calls");
            assertEquals(1, calls.size(), json.json.toString());
            assertEquals("get_weather", calls.path(0).path("function").path("name").asText());
            assertEquals("tool_calls", json.json.path("choices").path(0).path("finish_reason").asText());
            assertEquals(1, add.calls.size(), "Echelon's part of the mixed turn was run");
            JsonNode round = b.backend("coder").request(1).path("messages");
            JsonNode assistant = round.get(round.size() - 2);
            assertEquals(1, assistant.path("tool_calls").size(), "the round repeats Echelon's calls only: " + round);
            assertEquals("add", assistant.path("tool_calls").path(0).path("function").path("name").asText());
            assertEquals("3", round.get(round.size() - 1).path("content").asText(), "add's result fed back");
            assertEquals("add", json.meta().path("tools").path(0).path("name").asText());

            CapturingSink stream = b.stream("coder", withClientWeatherTool(question()), false);
            assertNull(stream.failure, () -> "failed: " + stream.failure);
            List<String> streamed = new ArrayList<>();
            for (ObjectNode chunk : stream.chunks) {
                chunk.path("choices").path(0).path("delta").path("tool_calls").forEach(c -> {
                    if (c.path("function").has("name")) { // later deltas carry arguments only
                        streamed.add(c.path("function").path("name").asText());
                    }
                });
                assertFalse(chunk.path("choices").path(0).has("logprobs"), "stripped as for any stream: " + chunk);
            }
            assertEquals(List.of("get_weather"), streamed, "no event of the mixed turn reaches the client");
            assertEquals("tool_calls", stream.chunks.get(stream.chunks.size() - 1).path("choices").path(0)
                    .path("finish_reason").asText());
            assertEquals(2, add.calls.size());
            assertEquals(4, b.requests("coder"));
        }
    }

    @Test
    void aClientToolWithAServerToolsNameIsTheClients() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4))
                .script("coder", (req, n) -> toolCall(req, "add", "{\"a\":1,\"b\":1}", n))
                .build()) {
            ObjectNode body = question();
            ObjectNode fn = body.putArray("tools").addObject().put("type", "function").putObject("function");
            fn.put("name", "add").put("description", "The client's own adder");
            fn.putObject("parameters").put("type", "object");
            CapturingSink sink = b.json("coder", body);
            assertEquals("tool_calls", sink.json.path("choices").path(0).path("finish_reason").asText());
            ArrayNode offered = (ArrayNode) b.backend("coder").request(0).path("tools");
            assertEquals(1, offered.size());
            assertEquals("The client's own adder", offered.path(0).path("function").path("description").asText());
            assertTrue(add.calls.isEmpty(), "Echelon's add was neither offered nor run");
        }
    }

    @Test
    void roundsAreBoundedAndTheLastGenerationHasNoTools() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(2))
                .script("coder", (req, n) -> toolNames(req).contains("add")
                        ? toolCall(req, "add", "{\"a\":" + n + ",\"b\":1}", n)
                        : Answers.render(Answers.gen("coder", ANSWER, Answers.HIGH), req, n))
                .build()) {
            CapturingSink sink = b.json("coder", question());
            assertNull(sink.failure, () -> "failed: " + sink.failure);
            assertEquals(ANSWER, sink.jsonContent());
            assertEquals(3, b.requests("coder"), "two tool rounds, then one answer without tools");
            assertEquals(2, add.calls.size());
            JsonNode last = b.backend("coder").request(2);
            assertFalse(last.has("tools"), "tools withheld once the rounds are spent");
            assertEquals("none", last.path("tool_choice").asText());
            assertEquals(2, sink.meta().path("tools").size());
            assertEquals(5, last.path("messages").size(), "user, then two assistant/tool pairs");
        }
    }

    @Test
    void malformedArgumentsAreAnErrorFedBackAndTheRequestStillSucceeds() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4))
                .script("coder", (req, n) -> switch (n) {
                    case 0 -> toolCall(req, "add", "{\"a\": 2, \"b\":", n);
                    case 1 -> toolCall(req, "add", "{\"a\": \"two\", \"b\": 3}", n);
                    default -> Answers.render(Answers.gen("coder", ANSWER, Answers.HIGH), req, n);
                })
                .build()) {
            CapturingSink sink = b.json("coder", question());
            assertNull(sink.failure, () -> "failed: " + sink.failure);
            assertEquals(ANSWER, sink.jsonContent());
            String broken = lastMessage(b.backend("coder").request(1)).path("content").asText();
            assertTrue(broken.contains("function.arguments is not valid JSON"), broken);
            String mistyped = lastMessage(b.backend("coder").request(2)).path("content").asText();
            assertTrue(mistyped.contains("argument 'a' must be an integer"), mistyped);
            assertTrue(add.calls.isEmpty(), "invalid arguments never reach the tool");
            JsonNode runs = sink.meta().path("tools");
            assertEquals(2, runs.size());
            assertFalse(runs.path(0).path("ok").asBoolean());
            assertEquals(2.0, toolMetrics.counter("echelon.tool.calls", "tool", "add", "outcome", "error").count());
        }
    }

    @Test
    void theOptOutHeaderKeepsServerToolsOut() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4))
                .always("coder", Answers.gen("coder", ANSWER, Answers.HIGH))
                .build()) {
            GenerationCall call = b.call("coder", question(), false, false);
            GenerationCall optedOut = new GenerationCall(call.context(), call.endpoint(), call.model(), call.body(),
                    false, false, call.memory(), call.recalled(), false);
            CapturingSink sink = b.run(optedOut);
            assertNotNull(sink.json);
            assertFalse(b.backend("coder").request(0).has("tools"));
        }
    }

    @Test
    void rolesWithoutToolsAreOfferedNone() {
        try (ScriptedBackends b = ScriptedBackends.builder().tools(tools(4)).build()) {
            CapturingSink sink = b.json("worker", ScriptedBackends.chatBody("worker", "Add 2 and 3.", 200));
            assertNotNull(sink.json);
            assertFalse(b.backend("worker").request(0).has("tools"), "worker has no tools in this registry");
        }
    }
}
