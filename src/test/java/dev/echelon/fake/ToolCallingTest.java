package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.echelon.registry.ModelSpec;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.echelon.fake.FakeTestSupport.JSON;
import static dev.echelon.fake.FakeTestSupport.keys;
import static dev.echelon.fake.FakeTestSupport.post;
import static dev.echelon.fake.FakeTestSupport.postJson;
import static dev.echelon.fake.FakeTestSupport.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenAI tool calling on /v1/chat/completions, as llama-server (--jinja) answers it. */
class ToolCallingTest {

    static final Map<String, Object> WEATHER = tool("get_weather", "Get the current weather for a location",
            Map.of("type", "object",
                    "properties", props(
                            "location", Map.of("type", "string", "description", "The city, e.g. Paris"),
                            "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit"))),
                    "required", List.of("location")));
    static final Map<String, Object> SEARCH = tool("search_web", "Search the internet for documents and news",
            Map.of("type", "object",
                    "properties", props(
                            "query", Map.of("type", "string"),
                            "max_results", Map.of("type", "integer", "minimum", 1, "maximum", 20)),
                    "required", List.of("query", "max_results")));

    static Vertx vertx;
    static FakeLlamaServer server;
    static FakeLlamaServer weak;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        ModelSpec strong = FakeTestSupport.model("tooler", "llama", 0.9, 2_000_000_000L, 28, 50);
        ModelSpec small = FakeTestSupport.model("tiny-tooler", "llama", 0.05, 300_000_000L, 12, 200);
        FakeModelCatalog cat = FakeTestSupport.catalog(strong, small);
        server = FakeTestSupport.startReady(vertx, cat, FakeTestSupport.fast(), "-m", "tooler.gguf", "--port", "0",
                "-np", "4");
        weak = FakeTestSupport.startReady(vertx, cat, FakeTestSupport.fast(), "-m", "tiny-tooler.gguf", "--port",
                "0", "-np", "4");
    }

    @AfterAll
    static void stop() {
        server.close();
        weak.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static Map<String, Object> tool(String name, String description, Map<String, Object> parameters) {
        return Map.of("type", "function", "function", Map.of("name", name, "description", description,
                "parameters", parameters));
    }

    static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> user(Object content) {
        return Map.of("role", "user", "content", content);
    }

    static JsonNode chat(List<?> messages, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("messages", messages);
        return postJson(server, "/v1/chat/completions", body);
    }

    static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    static boolean parses(String s) {
        try {
            JsonNode n = JSON.readTree(s);
            return n != null && n.isObject();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void toolCallHasOpenAiShape() {
        JsonNode r = chat(List.of(user("What's the weather like in Paris today?")),
                Map.of("tools", List.of(WEATHER), "temperature", 0));
        JsonNode choice = r.get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        JsonNode msg = choice.get("message");
        assertEquals("assistant", msg.get("role").asText());
        assertTrue(msg.has("content") && msg.get("content").isNull(), msg.toString());
        assertEquals(1, msg.get("tool_calls").size());
        JsonNode call = msg.get("tool_calls").get(0);
        assertEquals(Set.of("id", "type", "function"), keys(call));
        assertTrue(call.get("id").asText().matches("call_[A-Za-z0-9]{24}"), call.get("id").asText());
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.get("function").get("name").asText());
        assertTrue(call.get("function").get("arguments").isTextual(), "arguments are a JSON string");
        JsonNode args = parse(call.get("function").get("arguments").asText());
        assertEquals("Paris", args.get("location").asText(), args.toString());
        if (args.has("unit")) {
            assertEquals("celsius", args.get("unit").asText());
        }
        assertEquals(keys(FakeTestSupport.recordedJson("chat.json")), keys(r));
        int argTokens = server.tokenizer().tokenize(call.get("function").get("arguments").asText(), false, false)
                .size();
        assertEquals(argTokens + 1, r.get("usage").get("completion_tokens").asInt(), "argument tokens and EOS");
        assertEquals(r.get("usage").get("completion_tokens").asInt(), r.get("timings").get("predicted_n").asInt());
    }

    @Test
    void requiredAndNamedChoicesAlwaysCall() {
        JsonNode req = chat(List.of(user("Tell me a story about a dog.")),
                Map.of("tools", List.of(WEATHER, SEARCH), "tool_choice", "required", "temperature", 0));
        JsonNode choice = req.get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        JsonNode args = parse(choice.get("message").get("tool_calls").get(0).get("function").get("arguments")
                .asText());
        String name = choice.get("message").get("tool_calls").get(0).get("function").get("name").asText();
        assertTrue(name.equals("get_weather") || name.equals("search_web"), name);
        assertTrue(args.has(name.equals("get_weather") ? "location" : "query"), args.toString());

        JsonNode named = chat(List.of(user("What's the weather in Rome?")), Map.of("tools", List.of(WEATHER, SEARCH),
                "tool_choice", Map.of("type", "function", "function", Map.of("name", "search_web")),
                "temperature", 0));
        JsonNode call = named.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertEquals("search_web", call.get("function").get("name").asText());
        JsonNode a = parse(call.get("function").get("arguments").asText());
        assertEquals("What's the weather in Rome?", a.get("query").asText(), "the query is the message itself");
        int n = a.get("max_results").asInt();
        assertTrue(n >= 1 && n <= 20, a.toString());
    }

    /** A code runner as a server might offer it: the model puts the program it was asked to run in {@code code}. */
    static final Map<String, Object> RUN = tool("run_code", "Run a short Python 3 or POSIX shell program",
            Map.of("type", "object", "properties", props(
                    "language", Map.of("type", "string", "enum", List.of("python", "sh")),
                    "code", Map.of("type", "string")), "required", List.of("language", "code")));

    @Test
    void aFencedBlockTheUserAsksToRunBecomesTheCodeArgument() {
        JsonNode r = chat(List.of(user("Please run this code and tell me what it prints:\n```python\n"
                + "for i in range(3):\n    print(i * 7)\n```")), Map.of("tools", List.of(WEATHER, RUN),
                "temperature", 0));
        JsonNode call = r.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertEquals("run_code", call.get("function").get("name").asText());
        JsonNode a = parse(call.get("function").get("arguments").asText());
        assertEquals("python", a.get("language").asText());
        assertEquals("for i in range(3):\n    print(i * 7)\n", a.get("code").asText(), "the block as written");

        JsonNode shell = chat(List.of(user("Run this shell snippet, please:\n```bash\necho python is here\n```")),
                Map.of("tools", List.of(RUN), "temperature", 0));
        JsonNode sa = parse(shell.get("choices").get(0).get("message").get("tool_calls").get(0).get("function")
                .get("arguments").asText());
        assertEquals("sh", sa.get("language").asText(), "the fence's language wins over a word in the code");
        assertEquals("echo python is here\n", sa.get("code").asText());
    }

    @Test
    void autoPicksTheRelatedTool() {
        JsonNode r = chat(List.of(user("Please search the web for news about \"solar panels\", top 3 results")),
                Map.of("tools", List.of(WEATHER, SEARCH), "temperature", 0));
        JsonNode call = r.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertEquals("search_web", call.get("function").get("name").asText());
        JsonNode a = parse(call.get("function").get("arguments").asText());
        assertEquals("solar panels", a.get("query").asText(), "quoted text is the query");
        assertEquals(3, a.get("max_results").asInt(), "the number from the message");

        JsonNode lookUp = chat(List.of(user("Look up the latest research on CRISPR gene editing")),
                Map.of("tools", List.of(WEATHER, SEARCH), "temperature", 0));
        JsonNode lc = lookUp.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertEquals("search_web", lc.get("function").get("name").asText());

        JsonNode use = chat(List.of(user("Use the tool please.")), Map.of("tools", List.of(SEARCH), "temperature", 0));
        assertEquals("tool_calls", use.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void streamedToolCallDeltas() {
        Map<String, Object> body = new HashMap<>(Map.of("messages", List.of(user("How is the weather in Lisbon?")),
                "tools", List.of(WEATHER), "temperature", 0, "stream", true));
        List<FakeTestSupport.Event> events = stream(server, "/v1/chat/completions", body);
        assertTrue(events.get(events.size() - 1).done(), "ends with [DONE]");
        List<JsonNode> json = new ArrayList<>();
        events.stream().filter(e -> !e.done()).forEach(e -> json.add(e.json()));

        JsonNode role = json.get(0).get("choices").get(0).get("delta");
        assertEquals("assistant", role.get("role").asText());
        assertTrue(role.get("content").isNull());

        JsonNode head = json.get(1).get("choices").get(0).get("delta").get("tool_calls").get(0);
        assertEquals(0, head.get("index").asInt());
        assertTrue(head.get("id").asText().startsWith("call_"));
        assertEquals("function", head.get("type").asText());
        assertEquals("get_weather", head.get("function").get("name").asText());
        assertEquals("", head.get("function").get("arguments").asText());

        StringBuilder args = new StringBuilder();
        int fragments = 0;
        for (int i = 2; i < json.size() - 2; i++) {
            JsonNode c = json.get(i).get("choices").get(0);
            assertTrue(c.get("finish_reason").isNull());
            JsonNode tc = c.get("delta").get("tool_calls").get(0);
            assertEquals(0, tc.get("index").asInt());
            assertFalse(tc.has("id"), "only the first tool-call delta carries the id");
            args.append(tc.get("function").get("arguments").asText());
            fragments++;
        }
        assertTrue(fragments >= 3, "arguments are streamed token by token: " + fragments);
        JsonNode a = parse(args.toString());
        assertEquals("Lisbon", a.get("location").asText());

        JsonNode fin = json.get(json.size() - 2).get("choices").get(0);
        assertEquals("tool_calls", fin.get("finish_reason").asText());
        assertEquals(0, fin.get("delta").size());
        JsonNode usage = json.get(json.size() - 1);
        assertEquals(0, usage.get("choices").size());
        assertEquals(fragments + 1, usage.get("usage").get("completion_tokens").asInt());

        JsonNode whole = chat(List.of(user("How is the weather in Lisbon?")), Map.of("tools", List.of(WEATHER),
                "temperature", 0));
        JsonNode call = whole.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertEquals(args.toString(), call.get("function").get("arguments").asText(), "stream and non-stream agree");
        assertEquals(head.get("id").asText(), call.get("id").asText());
    }

    @Test
    void toolChoiceNoneAnswersInText() {
        JsonNode r = chat(List.of(user("What's the weather like in Paris today?")),
                Map.of("tools", List.of(WEATHER), "tool_choice", "none", "temperature", 0, "max_tokens", 40));
        JsonNode choice = r.get("choices").get(0);
        assertFalse(choice.get("message").has("tool_calls"));
        assertTrue(choice.get("message").get("content").isTextual());
        assertFalse(choice.get("message").get("content").asText().isEmpty());
        assertNotEquals("tool_calls", choice.get("finish_reason").asText());
    }

    @Test
    void autoWithUnrelatedMessageAnswersInText() {
        JsonNode r = chat(List.of(user("Tell me a story about a dog.")),
                Map.of("tools", List.of(WEATHER, SEARCH), "temperature", 0, "max_tokens", 40));
        JsonNode choice = r.get("choices").get(0);
        assertFalse(choice.get("message").has("tool_calls"), choice.toString());
        assertTrue(choice.get("message").get("content").isTextual());
        assertNotEquals("tool_calls", choice.get("finish_reason").asText());

        List<FakeTestSupport.Event> events = stream(server, "/v1/chat/completions", Map.of("messages",
                List.of(user("Tell me a story about a dog.")), "tools", List.of(WEATHER), "stream", true,
                "temperature", 0, "max_tokens", 8));
        for (FakeTestSupport.Event e : events) {
            assertFalse(e.data().contains("tool_calls"), e.data());
        }
    }

    @Test
    void roundTripAnswersWithTheToolResult() {
        List<Object> messages = new ArrayList<>();
        messages.add(Map.of("role", "system", "content", "You are a helpful assistant."));
        messages.add(user("What's the weather like in Paris today?"));
        JsonNode first = chat(messages, Map.of("tools", List.of(WEATHER), "seed", 3));
        JsonNode call = first.get("choices").get(0).get("message").get("tool_calls").get(0);

        Map<String, Object> assistant = new HashMap<>();
        assistant.put("role", "assistant");
        assistant.put("content", null);
        assistant.put("tool_calls", List.of(JSON.convertValue(call, Map.class)));
        messages.add(assistant);
        messages.add(Map.of("role", "tool", "tool_call_id", call.get("id").asText(),
                "content", "{\"temperature\": 18, \"condition\": \"sunny\", \"city\": \"Paris\"}"));
        JsonNode second = chat(messages, Map.of("tools", List.of(WEATHER), "seed", 3, "max_tokens", 400));
        JsonNode choice = second.get("choices").get(0);
        assertFalse(choice.get("message").has("tool_calls"), "after the tool result the model answers");
        assertEquals("stop", choice.get("finish_reason").asText());
        String text = choice.get("message").get("content").asText();
        assertTrue(text.contains("18") && text.contains("sunny"), text);
        assertTrue(text.contains("temperature"), text);
        assertTrue(second.get("usage").get("prompt_tokens").asInt()
                > first.get("usage").get("prompt_tokens").asInt(), "the history is part of the prompt");

        List<FakeTestSupport.Event> events = stream(server, "/v1/chat/completions", Map.of("messages", messages,
                "tools", List.of(WEATHER), "stream", true, "seed", 3, "max_tokens", 400));
        StringBuilder streamed = new StringBuilder();
        events.stream().filter(e -> !e.done()).map(FakeTestSupport.Event::json)
                .filter(j -> j.get("choices").size() > 0)
                .forEach(j -> streamed.append(j.get("choices").get(0).get("delta").path("content").asText("")));
        assertEquals(text, streamed.toString());

        List<Object> plain = new ArrayList<>(messages.subList(0, 3));
        plain.add(Map.of("role", "tool", "name", "get_weather", "content",
                "It is 21 degrees and raining in Paris, with wind from the west."));
        String answer = chat(plain, Map.of("tools", List.of(WEATHER), "temperature", 0, "max_tokens", 200))
                .get("choices").get(0).get("message").get("content").asText();
        assertTrue(answer.contains("21 degrees and raining"), answer);
    }

    @Test
    void contentPartArraysAccepted() {
        List<Object> parts = List.of(Map.of("type", "text", "text", "What's the weather"),
                Map.of("type", "text", "text", "in Berlin right now?"));
        JsonNode r = chat(List.of(Map.of("role", "system", "content", List.of(Map.of("type", "text", "text",
                "Be brief."))), user(parts)), Map.of("tools", List.of(WEATHER), "temperature", 0));
        JsonNode call = r.get("choices").get(0).get("message").get("tool_calls").get(0);
        assertEquals("Berlin", parse(call.get("function").get("arguments").asText()).get("location").asText());

        JsonNode text = chat(List.of(user(List.of(Map.of("type", "text", "text", "Tell me about rivers")))),
                Map.of("temperature", 0, "max_tokens", 10));
        assertFalse(text.get("choices").get(0).get("message").get("content").asText().isEmpty());

        Map<String, Object> assistant = new HashMap<>();
        assistant.put("role", "assistant");
        assistant.put("content", null);
        assistant.put("tool_calls", List.of(Map.of("id", "call_1", "type", "function", "function",
                Map.of("name", "get_weather", "arguments", "{\"location\":\"Berlin\"}"))));
        List<Object> history = List.of(user(parts), assistant, Map.of("role", "tool", "tool_call_id", "call_1",
                "content", List.of(Map.of("type", "text", "text", "{\"temperature\": 9}"))));
        JsonNode tmpl = postJson(server, "/apply-template", Map.of("messages", history, "tools", List.of(WEATHER)));
        String prompt = tmpl.get("prompt").asText();
        assertTrue(prompt.startsWith("<|im_start|>system\n"), prompt);
        assertTrue(prompt.contains("get_weather") && prompt.contains("Berlin") && prompt.contains("tool_response"),
                prompt);
        assertTrue(prompt.contains("What's the weather\nin Berlin right now?"), prompt);
        assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
        String answer = chat(history, Map.of("tools", List.of(WEATHER), "temperature", 0, "max_tokens", 100))
                .get("choices").get(0).get("message").get("content").asText();
        assertTrue(answer.contains("9"), answer);
    }

    @Test
    void deterministicForSamePromptAndSeed() {
        Map<String, Object> p = Map.of("tools", List.of(WEATHER, SEARCH), "seed", 1234, "temperature", 0.8,
                "tool_choice", "required");
        List<Object> m = List.of(user("Find me something about volcanoes in Iceland"));
        JsonNode a = chat(m, p);
        JsonNode b = chat(m, p);
        assertEquals(a.get("choices"), b.get("choices"));
        JsonNode c = chat(m, Map.of("tools", List.of(WEATHER, SEARCH), "seed", 99, "temperature", 0.8,
                "tool_choice", "required"));
        assertNotEquals(a.get("choices").get(0).get("message").get("tool_calls").get(0).get("id"),
                c.get("choices").get(0).get("message").get("tool_calls").get(0).get("id"));
    }

    @Test
    void extraFieldsDoNotBreakAnything() {
        Map<String, Object> body = new HashMap<>();
        body.put("messages", List.of(user("What's the weather like in Oslo?")));
        body.put("tools", List.of(WEATHER));
        body.put("parallel_tool_calls", false);
        body.put("response_format", Map.of("type", "text"));
        body.put("stream_options", Map.of("include_usage", true));
        body.put("some_future_field", Map.of("x", 1));
        body.put("temperature", 0);
        JsonNode r = postJson(server, "/v1/chat/completions", body);
        assertEquals("tool_calls", r.get("choices").get(0).get("finish_reason").asText());

        body.put("tools", "not a list");
        FakeTestSupport.Reply odd = post(server, "/v1/chat/completions", body);
        assertEquals(200, odd.code(), odd.body());
        assertTrue(odd.json().get("choices").get(0).get("message").get("content").isTextual());

        body.put("tools", List.of(Map.of("type", "function", "function", Map.of("name", "ping"))));
        body.put("tool_choice", "required");
        JsonNode noParams = postJson(server, "/v1/chat/completions", body);
        assertEquals("{}", noParams.get("choices").get(0).get("message").get("tool_calls").get(0).get("function")
                .get("arguments").asText());
    }

    @Test
    void weakModelsSometimesBreakArguments() {
        String prompt = "Search the web for news about rivers";
        int broken = 0;
        int strongBroken = 0;
        for (int seed = 0; seed < 16; seed++) {
            Map<String, Object> body = Map.of("messages", List.of(user(prompt)), "tools", List.of(SEARCH), "seed",
                    seed, "tool_choice", "required");
            JsonNode w = postJson(weak, "/v1/chat/completions", body);
            String wa = w.get("choices").get(0).get("message").get("tool_calls").get(0).get("function")
                    .get("arguments").asText();
            broken += parses(wa) ? 0 : 1;
            String sa = postJson(server, "/v1/chat/completions", body).get("choices").get(0).get("message")
                    .get("tool_calls").get(0).get("function").get("arguments").asText();
            strongBroken += parses(sa) ? 0 : 1;
        }
        assertEquals(0, strongBroken, "a capable model's arguments are valid JSON");
        assertTrue(broken >= 3 && broken <= 15, "weak model broke " + broken + "/16");
    }

    @Test
    void argumentsFollowTheSchema() {
        JsonNode schema = JSON.valueToTree(Map.of("type", "object",
                "properties", props(
                        "origin", Map.of("type", "string"),
                        "destination", Map.of("type", "string"),
                        "passengers", Map.of("type", "integer"),
                        "refundable", Map.of("type", "boolean"),
                        "cabin", Map.of("type", "string", "enum", List.of("economy", "business")),
                        "tags", Map.of("type", "array", "items", Map.of("type", "string")),
                        "options", Map.of("type", "object", "properties", Map.of("seat", Map.of("type", "string")),
                                "required", List.of("seat"))),
                "required", List.of("origin", "destination", "passengers", "refundable", "cabin", "tags",
                        "options")));
        ToolCalls.Function f = new ToolCalls.Function("book_flight", "Book a flight", schema);
        String msg = "Book a flight from London to New York for 2 people in business class";
        JsonNode a = parse(ToolCalls.arguments(f, msg, 5));
        assertEquals("London", a.get("origin").asText());
        assertEquals("New York", a.get("destination").asText());
        assertEquals(2, a.get("passengers").asInt());
        assertTrue(a.get("passengers").isIntegralNumber());
        assertTrue(a.get("refundable").asBoolean());
        assertEquals("business", a.get("cabin").asText(), "an enum value the message names");
        assertEquals(1, a.get("tags").size());
        assertTrue(a.get("tags").get(0).isTextual());
        assertTrue(a.get("options").get("seat").isTextual());
        assertEquals(ToolCalls.arguments(f, msg, 5), ToolCalls.arguments(f, msg, 5));

        JsonNode empty = JsonNodeFactory.instance.objectNode();
        assertEquals("{}", ToolCalls.arguments(new ToolCalls.Function("noop", "", empty), msg, 1));
    }
}
