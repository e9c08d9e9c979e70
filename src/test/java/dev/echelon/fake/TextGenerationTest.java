package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.registry.ModelSpec;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.echelon.fake.FakeTestSupport.JSON;
import static dev.echelon.fake.FakeTestSupport.postJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deterministic, English-looking text; code when asked for code; stops, limits and JSON honoured. */
class TextGenerationTest {

    static Vertx vertx;
    static FakeLlamaServer server;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        ModelSpec m = FakeTestSupport.model("writer", "llama", 0.9, 2_000_000_000L, 28, 50);
        server = FakeTestSupport.startReady(vertx, FakeTestSupport.catalog(m), FakeTestSupport.fast(), "-m",
                "writer.gguf", "--port", "0", "-np", "4");
    }

    @AfterAll
    static void stop() {
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static JsonNode complete(String prompt, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("prompt", prompt);
        return postJson(server, "/completion", body);
    }

    private static String chat(String user, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(extra);
        body.put("messages", List.of(Map.of("role", "user", "content", user)));
        return postJson(server, "/v1/chat/completions", body).get("choices").get(0).get("message").get("content")
                .asText();
    }

    @Test
    void samePromptAndSeedGiveSameTokens() {
        Map<String, Object> p = Map.of("n_predict", 40, "seed", 1234, "temperature", 0.8);
        JsonNode a = complete("Tell me about the ocean and its fish", p);
        JsonNode b = complete("Tell me about the ocean and its fish", p);
        assertEquals(a.get("tokens"), b.get("tokens"));
        assertEquals(a.get("content"), b.get("content"));

        JsonNode c = complete("Tell me about the ocean and its fish", Map.of("n_predict", 40, "seed", 99,
                "temperature", 0.8));
        assertNotEquals(a.get("content"), c.get("content"), "another seed samples another answer");

        JsonNode g1 = complete("Tell me about the ocean and its fish", Map.of("n_predict", 40, "seed", 1,
                "temperature", 0));
        JsonNode g2 = complete("Tell me about the ocean and its fish", Map.of("n_predict", 40, "seed", 2,
                "temperature", 0));
        assertEquals(g1.get("tokens"), g2.get("tokens"), "greedy decoding ignores the seed");

        JsonNode s1 = postJson(server, "/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user",
                "content", "Explain gravity")), "temperature", 0, "max_tokens", 30, "logprobs", true));
        JsonNode s2 = postJson(server, "/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user",
                "content", "Explain gravity")), "temperature", 0, "max_tokens", 30, "logprobs", true));
        assertEquals(s1.get("choices"), s2.get("choices"));
    }

    @Test
    void textReadsLikeWords() {
        int words = 0;
        int alphabetic = 0;
        List<String> samples = new ArrayList<>();
        for (String prompt : List.of("Tell me about the history of Rome", "How do I bake bread?",
                "What should I pack for a trip to the mountains?", "Describe the planets of the solar system",
                "Why is sleep important for health?", "Explain how a database index works")) {
            String text = chat(prompt, Map.of("seed", 5, "max_tokens", 120));
            samples.add(text);
            assertFalse(text.toLowerCase(Locale.ROOT).contains("mock"), text);
            assertFalse(text.toLowerCase(Locale.ROOT).contains("lorem"), text);
            assertTrue(Character.isUpperCase(text.charAt(0)), text);
            for (String w : text.split("\\s+")) {
                String bare = w.replaceAll("[.,!?;:'\"()]", "");
                if (bare.isEmpty()) {
                    continue;
                }
                words++;
                if (bare.chars().allMatch(Character::isLetter)) {
                    alphabetic++;
                }
            }
        }
        System.out.println("sample answers:\n  " + String.join("\n  ", samples));
        assertTrue(words > 60);
        assertTrue(alphabetic >= 0.9 * words, alphabetic + "/" + words);
    }

    @Test
    void answersTheTopicAsked() {
        String space = chat("Tell me about planets, stars and the galaxy", Map.of("temperature", 0));
        String cooking = chat("How do I cook a good soup in my kitchen?", Map.of("temperature", 0));
        assertTrue(space.matches("(?s).*\\b(star|stars|planet|planets|galaxy|Sun|Moon|orbit|Earth|space)\\b.*"),
                space);
        assertTrue(cooking.matches("(?s).*\\b(soup|salt|bread|cook|cooked|oven|flavour|kitchen|pasta|food)\\b.*"),
                cooking);
    }

    @Test
    void codePromptsGetCode() {
        String py = chat("Write a Python function that reverses a string", Map.of("temperature", 0));
        assertTrue(py.contains("```python"), py);
        assertTrue(py.contains("def reverse_string(text):"), py);
        String java = chat("Implement a Java method to compute the factorial of n", Map.of("temperature", 0));
        assertTrue(java.contains("public static long factorial(int n)"), java);
    }

    @Test
    void limitEosAndStopWords() {
        JsonNode limited = complete("Tell me a story", Map.of("n_predict", 7, "ignore_eos", true));
        assertEquals("limit", limited.get("stop_type").asText());
        assertEquals(7, limited.get("tokens_predicted").asInt());

        JsonNode natural = complete("Say something brief about cats.", Map.of("temperature", 0));
        assertEquals("eos", natural.get("stop_type").asText());
        assertTrue(natural.get("tokens_predicted").asInt() > 3);

        String full = natural.get("content").asText();
        String[] words = full.trim().split(" ");
        String stop = " " + words[Math.min(3, words.length - 1)];
        JsonNode stopped = complete("Say something brief about cats.", Map.of("temperature", 0, "stop",
                List.of(stop)));
        assertEquals("word", stopped.get("stop_type").asText());
        assertEquals(stop, stopped.get("stopping_word").asText());
        assertEquals(full.substring(0, full.indexOf(stop)), stopped.get("content").asText());

        // a streamed answer never shows the stop string either
        List<FakeTestSupport.Event> events = FakeTestSupport.stream(server, "/completion", Map.of("prompt",
                "Say something brief about cats.", "temperature", 0, "stop", List.of(stop), "stream", true));
        StringBuilder sb = new StringBuilder();
        events.forEach(e -> sb.append(e.json().get("content").asText()));
        assertEquals(stopped.get("content").asText(), sb.toString());
    }

    @Test
    void jsonRequestsGetValidJson() throws Exception {
        Map<String, Object> schema = Map.of("type", "object", "properties", Map.of(
                "city", Map.of("type", "string"), "population", Map.of("type", "integer"),
                "landmarks", Map.of("type", "array", "items", Map.of("type", "string"))),
                "required", List.of("city", "population"));
        String content = postJson(server, "/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user",
                "content", "Describe a city as JSON")), "response_format", Map.of("type", "json_schema",
                "json_schema", Map.of("name", "city", "schema", schema)))).get("choices").get(0).get("message")
                .get("content").asText();
        JsonNode parsed = JSON.readTree(content);
        assertTrue(parsed.has("city") && parsed.has("population"), content);
        assertTrue(parsed.get("population").isInt(), content);

        JsonNode viaCompletion = complete("A city as JSON:", Map.of("json_schema", schema));
        assertTrue(JSON.readTree(viaCompletion.get("content").asText().trim()).has("city"));

        String obj = chat("Give me a JSON object", Map.of("response_format", Map.of("type", "json_object")));
        assertTrue(JSON.readTree(obj).isObject(), obj);
    }
}
