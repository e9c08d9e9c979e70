package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.registry.ModelSpec;
import io.vertx.core.Vertx;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.echelon.fake.FakeTestSupport.JSON;
import static dev.echelon.fake.FakeTestSupport.JSON_TYPE;
import static dev.echelon.fake.FakeTestSupport.get;
import static dev.echelon.fake.FakeTestSupport.keys;
import static dev.echelon.fake.FakeTestSupport.post;
import static dev.echelon.fake.FakeTestSupport.postJson;
import static dev.echelon.fake.FakeTestSupport.recorded;
import static dev.echelon.fake.FakeTestSupport.recordedEvents;
import static dev.echelon.fake.FakeTestSupport.recordedJson;
import static dev.echelon.fake.FakeTestSupport.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fake answers with the same shapes, status codes and headers as the recorded llama-server v0.5.0. */
class FakeLlamaServerShapesTest {

    static Vertx vertx;
    static FakeLlamaServer server;
    static FakeLlamaServer spec;
    static final ModelSpec TARGET = FakeTestSupport.model("tiny-target", "llama", 0.8, 800_000_000L, 24, 60);
    static final ModelSpec DRAFT = FakeTestSupport.model("tiny-draft", "llama", 0.3, 100_000_000L, 8, 400);
    static final FakeModelCatalog CATALOG = FakeTestSupport.catalog(TARGET, DRAFT);

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        server = FakeTestSupport.startReady(vertx, CATALOG, FakeTestSupport.fast(), "-m", "/models/tiny-target.gguf",
                "--host", "127.0.0.1", "--port", "0", "-ngl", "all", "-c", "2048", "-np", "2", "--metrics", "--props",
                "-a", "tiny-target", "--jinja", "-fa", "on", "-t", "4", "--no-webui");
        spec = FakeTestSupport.startReady(vertx, CATALOG, FakeTestSupport.fast(), "-m", "tiny-target.gguf", "--port",
                "0", "-md", "tiny-draft.gguf", "--spec-type", "draft-simple", "--spec-draft-n-max", "4", "-ngld",
                "all", "--metrics", "-a", "tiny-target");
    }

    @AfterAll
    static void stop() {
        server.close();
        spec.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void healthAndHeadersAsRecorded() {
        FakeTestSupport.Reply r = get(server, "/health");
        assertEquals(200, r.code());
        assertEquals(recorded("health.json"), r.body());
        assertEquals("llama.cpp", r.server());
        assertEquals("application/json; charset=utf-8", r.contentType());
    }

    @Test
    void completionHasRecordedKeys() {
        JsonNode rec = recordedJson("completion.json");
        JsonNode got = postJson(server, "/completion", Map.of("prompt", "Once upon a time,", "n_predict", 12,
                "temperature", 0));
        assertEquals(keys(rec), keys(got));
        assertEquals(keys(rec.get("generation_settings")), keys(got.get("generation_settings")));
        assertEquals(keys(rec.get("timings")), keys(got.get("timings")));
        assertEquals("tiny-target", got.get("model").asText());
        assertTrue(got.get("prompt").asText().startsWith("<s>"));
        assertEquals(got.get("tokens_predicted").asInt(), got.get("timings").get("predicted_n").asInt());
        assertTrue(Set.of("eos", "limit", "word").contains(got.get("stop_type").asText()));

        JsonNode recProbs = recordedJson("completion_probs.json");
        JsonNode probs = postJson(server, "/completion", Map.of("prompt", "Once upon a time,", "n_predict", 3,
                "n_probs", 3, "temperature", 0));
        assertEquals(keys(recProbs), keys(probs));
        JsonNode entry = probs.get("completion_probabilities").get(0);
        assertEquals(keys(recProbs.get("completion_probabilities").get(0)), keys(entry));
        assertEquals(3, entry.get("top_logprobs").size());
        assertEquals(keys(recProbs.get("completion_probabilities").get(0).get("top_logprobs").get(0)),
                keys(entry.get("top_logprobs").get(0)));
        double prev = 0;
        for (JsonNode t : entry.get("top_logprobs")) {
            assertTrue(t.get("logprob").asDouble() <= prev + 1e-12, "top_logprobs sorted descending");
            prev = t.get("logprob").asDouble();
        }
        // bytes are the token's UTF-8 bytes
        StringBuilder sb = new StringBuilder();
        entry.get("bytes").forEach(b -> sb.append((char) b.asInt()));
        assertEquals(entry.get("token").asText(), sb.toString());

        JsonNode post = postJson(server, "/completion", Map.of("prompt", "Once upon a time,", "n_predict", 3,
                "n_probs", 3, "post_sampling_probs", true));
        assertEquals(keys(recordedJson("completion_postprobs.json").get("completion_probabilities").get(0)),
                keys(post.get("completion_probabilities").get(0)));
    }

    @Test
    void tokenPromptAccepted() {
        JsonNode toks = postJson(server, "/tokenize", Map.of("content", "Once upon a time,", "add_special", true));
        JsonNode got = postJson(server, "/completion", Map.of("prompt", toks.get("tokens"), "n_predict", 4));
        assertEquals(keys(recordedJson("completion_tokens_prompt.json")), keys(got));
        assertEquals(toks.get("tokens").size(), got.get("tokens_evaluated").asInt());
    }

    @Test
    void completionStreamFramingAsRecorded() {
        List<JsonNode> rec = recordedEvents("completion_stream.sse");
        List<FakeTestSupport.Event> events = stream(server, "/completion", Map.of("prompt", "Once upon a time,",
                "n_predict", 4, "n_probs", 2, "stream", true, "temperature", 0));
        assertFalse(events.stream().anyMatch(FakeTestSupport.Event::done), "/completion stream has no [DONE]");
        JsonNode last = events.get(events.size() - 1).json();
        assertTrue(last.get("stop").asBoolean());
        assertEquals(keys(rec.get(rec.size() - 1)), keys(last));
        assertEquals(keys(rec.get(0)), keys(events.get(0).json()));
        assertEquals(-1, events.get(0).json().get("id_slot").asInt());
        assertEquals(4, last.get("tokens_predicted").asInt());
        assertEquals(4, events.size() - 1);
    }

    @Test
    void chatJsonAndStreamAsRecorded() {
        JsonNode rec = recordedJson("chat.json");
        Map<String, Object> body = Map.of("messages", List.of(Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "Tell me a story about a dog.")), "max_tokens", 12, "logprobs", true,
                "top_logprobs", 2, "temperature", 0);
        JsonNode got = postJson(server, "/v1/chat/completions", body);
        assertEquals(keys(rec), keys(got));
        assertEquals(keys(rec.get("choices").get(0)), keys(got.get("choices").get(0)));
        assertEquals(keys(rec.get("usage")), keys(got.get("usage")));
        assertEquals(keys(rec.get("choices").get(0).get("logprobs").get("content").get(0)),
                keys(got.get("choices").get(0).get("logprobs").get("content").get(0)));
        assertEquals("chat.completion", got.get("object").asText());
        assertTrue(got.get("id").asText().startsWith("chatcmpl-"));
        assertEquals("assistant", got.get("choices").get(0).get("message").get("role").asText());
        String finish = got.get("choices").get(0).get("finish_reason").asText();
        assertTrue(finish.equals("length") || finish.equals("stop"));

        List<JsonNode> recEvents = recordedEvents("chat_stream.sse");
        List<FakeTestSupport.Event> events = stream(server, "/v1/chat/completions", Map.of("messages",
                List.of(Map.of("role", "user", "content", "Hello there, tell me about rivers")), "max_tokens", 4,
                "stream", true, "temperature", 0));
        assertTrue(events.get(events.size() - 1).done(), "chat stream ends with [DONE]");
        List<JsonNode> got2 = new ArrayList<>();
        events.stream().filter(e -> !e.done()).forEach(e -> got2.add(e.json()));
        assertEquals(recEvents.size(), got2.size());
        for (int i = 0; i < recEvents.size(); i++) {
            assertEquals(keys(recEvents.get(i)), keys(got2.get(i)), "event " + i);
            if (recEvents.get(i).get("choices").size() > 0) {
                assertEquals(keys(recEvents.get(i).get("choices").get(0).get("delta")),
                        keys(got2.get(i).get("choices").get(0).get("delta")), "delta " + i);
            }
        }
        assertEquals("length", got2.get(got2.size() - 2).get("choices").get(0).get("finish_reason").asText());
        assertEquals(4, got2.get(got2.size() - 1).get("usage").get("completion_tokens").asInt());
    }

    @Test
    void legacyCompletionsAsRecorded() {
        JsonNode rec = recordedJson("v1_completions.json");
        JsonNode got = postJson(server, "/v1/completions", Map.of("prompt", "Once upon a time,", "max_tokens", 4,
                "logprobs", 2));
        assertEquals(keys(rec), keys(got));
        assertEquals(keys(rec.get("choices").get(0)), keys(got.get("choices").get(0)));
        assertEquals("text_completion", got.get("object").asText());
        JsonNode plain = postJson(server, "/v1/completions", Map.of("prompt", "Once upon a time,", "max_tokens", 4));
        assertTrue(plain.get("choices").get(0).get("logprobs").isNull());
        List<FakeTestSupport.Event> events = stream(server, "/v1/completions", Map.of("prompt", "Hello",
                "max_tokens", 3, "stream", true));
        assertTrue(events.get(events.size() - 1).done());
    }

    @Test
    void propsSlotsModelsAsRecorded() {
        JsonNode rec = recordedJson("props.json");
        JsonNode got = get(server, "/props").json();
        assertEquals(keys(rec), keys(got));
        assertEquals(keys(rec.get("default_generation_settings")), keys(got.get("default_generation_settings")));
        assertEquals(keys(rec.get("default_generation_settings").get("params")),
                keys(got.get("default_generation_settings").get("params")));
        assertEquals(2, got.get("total_slots").asInt());
        assertEquals("/models/tiny-target.gguf", got.get("model_path").asText());
        assertEquals(1024, got.get("default_generation_settings").get("n_ctx").asInt()); // -c 2048 over -np 2
        assertEquals("none,draft-simple", get(spec, "/props").json().get("default_generation_settings")
                .get("params").get("speculative.types").asText());

        JsonNode recSlots = recordedJson("slots.json");
        JsonNode slots = get(server, "/slots").json();
        assertEquals(2, slots.size());
        assertEquals(keys(recSlots.get(0)), keys(slots.get(0)));
        assertEquals(keys(recSlots.get(0).get("params")), keys(slots.get(0).get("params")));
        assertEquals(keys(recSlots.get(0).get("next_token").get(0)), keys(slots.get(0).get("next_token").get(0)));

        JsonNode recModels = recordedJson("v1_models.json");
        for (String path : List.of("/v1/models", "/models")) {
            JsonNode models = get(server, path).json();
            assertEquals(keys(recModels), keys(models));
            assertEquals(keys(recModels.get("data").get(0)), keys(models.get("data").get(0)));
            assertEquals(keys(recModels.get("data").get(0).get("meta")), keys(models.get("data").get(0).get("meta")));
            assertEquals(keys(recModels.get("models").get(0)), keys(models.get("models").get(0)));
            assertEquals("tiny-target", models.get("data").get(0).get("id").asText());
        }
        assertEquals(200, post(server, "/props", Map.of()).code());
        assertEquals(501, post(spec, "/props", Map.of()).code(), "POST /props needs --props");
    }

    @Test
    void slotsShowLiveRequests() throws Exception {
        FakeLlamaServer slow = FakeTestSupport.startReady(vertx, CATALOG, new FakeOptions(1.0, false, 1),
                "-m", "tiny-target.gguf", "--port", "0", "-np", "3", "-ngl", "all");
        try (Response r = FakeTestSupport.HTTP.newCall(new Request.Builder().url(slow.baseUrl() + "/completion")
                .post(RequestBody.create(JSON.writeValueAsString(Map.of("prompt", "Tell me a story", "n_predict",
                        200, "ignore_eos", true, "stream", true)), JSON_TYPE)).build()).execute()) {
            BufferedSource src = r.body().source();
            src.readUtf8Line();
            JsonNode slots = get(slow, "/slots").json();
            assertEquals(3, slots.size());
            int busy = 0;
            for (JsonNode s : slots) {
                busy += s.get("is_processing").asBoolean() ? 1 : 0;
            }
            assertEquals(1, busy);
            assertEquals(1, slow.stats().processing());
        } finally {
            slow.close();
        }
    }

    @Test
    void tokenizeDetokenizeApplyTemplate() {
        JsonNode rec = recordedJson("tokenize.json");
        JsonNode pieces = postJson(server, "/tokenize", Map.of("content", "Once upon a time, Tom went to the park.",
                "with_pieces", true));
        assertEquals(keys(rec), keys(pieces));
        assertEquals(keys(rec.get("tokens").get(0)), keys(pieces.get("tokens").get(0)));
        StringBuilder sb = new StringBuilder();
        pieces.get("tokens").forEach(t -> sb.append(t.get("piece").asText()));
        assertEquals("Once upon a time, Tom went to the park.", sb.toString());

        JsonNode plain = postJson(server, "/tokenize", Map.of("content", "Once upon a time", "add_special", true));
        assertEquals(keys(recordedJson("tokenize_plain.json")), keys(plain));
        assertEquals(1, plain.get("tokens").get(0).asInt(), "BOS first with add_special");

        JsonNode detok = postJson(server, "/detokenize", Map.of("tokens", plain.get("tokens")));
        assertEquals(keys(recordedJson("detokenize.json")), keys(detok));
        assertEquals("<s>Once upon a time", detok.get("content").asText());

        JsonNode tmpl = postJson(server, "/apply-template", Map.of("messages", List.of(
                Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", "Hi"))));
        assertEquals(recordedJson("apply_template.json"), tmpl);
    }

    @Test
    void metricsNamesAsRecorded() {
        postJson(server, "/completion", Map.of("prompt", "Hello", "n_predict", 3));
        FakeTestSupport.Reply r = get(server, "/metrics");
        assertEquals(200, r.code());
        assertTrue(r.contentType().startsWith("text/plain"));
        assertEquals(metricNames(recorded("metrics.txt")), metricNames(r.body()));
        postJson(spec, "/completion", Map.of("prompt", "Hello", "n_predict", 16));
        assertEquals(metricNames(recorded("metrics_speculative.txt")), metricNames(get(spec, "/metrics").body()));
    }

    private static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String name = line.split("[ {]")[0];
                names.add(name);
            }
        }
        return names;
    }

    @Test
    void speculativeTimingsOnlyWhenSpeculating() {
        JsonNode rec = recordedJson("completion_speculative.json");
        JsonNode got = postJson(spec, "/completion", Map.of("prompt", "Once upon a time,", "n_predict", 48,
                "temperature", 0));
        assertEquals(keys(rec.get("timings")), keys(got.get("timings")));
        assertEquals("none,draft-simple", got.get("generation_settings").get("speculative.types").asText());
        assertTrue(got.get("timings").get("draft_n").asInt() > 0);
        assertFalse(postJson(server, "/completion", Map.of("prompt", "Hi", "n_predict", 4)).get("timings")
                .has("draft_n"));
    }

    @Test
    void errorsAsRecorded() {
        FakeTestSupport.Reply bad = post(server, "/completion", "{\"prompt\": ");
        assertEquals(500, bad.code());
        JsonNode badJson = bad.json();
        assertEquals(keys(recordedJson("bad_json.json").get("error")), keys(badJson.get("error")));
        assertEquals("server_error", badJson.get("error").get("type").asText());
        assertTrue(badJson.get("error").get("message").asText().startsWith("[json.exception.parse_error.101]"));

        FakeTestSupport.Reply noPrompt = post(server, "/completion", Map.of("n_predict", 4));
        assertEquals(400, noPrompt.code());
        assertEquals(recordedJson("no_prompt.json"), noPrompt.json());

        FakeTestSupport.Reply noMessages = post(server, "/v1/chat/completions", Map.of("max_tokens", 4));
        assertEquals(400, noMessages.code());
        assertEquals("invalid_request_error", noMessages.json().get("error").get("type").asText());

        assertEquals(404, get(server, "/nope").code());
        FakeTestSupport.Reply tooLong = post(server, "/completion", Map.of("prompt", "word ".repeat(3000)));
        assertEquals(400, tooLong.code());
        assertEquals("exceed_context_size_error", tooLong.json().get("error").get("type").asText());
    }

    @Test
    void flagsParsedLikeLlamaServer() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> FakeLlamaServer.start(
                vertx, List.of("-m", "tiny-target.gguf", "--foo"), CATALOG, FakeTestSupport.fast()));
        assertEquals("invalid argument: --foo", unknown.getMessage());
        IllegalArgumentException removed = assertThrows(IllegalArgumentException.class, () -> FakeLlamaServer.start(
                vertx, List.of("-m", "tiny-target.gguf", "--draft-max", "8"), CATALOG, FakeTestSupport.fast()));
        assertTrue(removed.getMessage().contains("the argument has been removed"), removed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FakeLlamaServer.start(vertx,
                List.of("-m", "tiny-target.gguf", "--draft-min", "1"), CATALOG, FakeTestSupport.fast()));
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class, () -> FakeLlamaServer.start(
                vertx, List.of("-m", "/elsewhere/unknown.gguf"), CATALOG, FakeTestSupport.fast()));
        assertTrue(model.getMessage().contains("failed to load model"), model.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FakeLlamaServer.start(vertx,
                List.of("-m", "tiny-target.gguf", "-c"), CATALOG, FakeTestSupport.fast()));
        ModelSpec other = FakeTestSupport.model("other-draft", "qwen", 0.3, 100_000_000L, 8, 400);
        assertThrows(IllegalArgumentException.class, () -> FakeLlamaServer.start(vertx, List.of("-m",
                "tiny-target.gguf", "-md", "other-draft.gguf"), FakeTestSupport.catalog(TARGET, other),
                FakeTestSupport.fast()));

        FakeLlamaServer s = FakeTestSupport.startReady(vertx, CATALOG, FakeTestSupport.fast(), "--model",
                "tiny-target.gguf", "--port=0", "--n-gpu-layers", "12", "--ctx-size", "1024", "--parallel", "1",
                "--model-draft", "tiny-draft.gguf", "--spec-type", "ngram-simple,ngram-mod", "--spec-draft-n-max",
                "6", "--spec-draft-n-min", "1", "--spec-draft-p-min", "0.5", "--n-gpu-layers-draft", "auto",
                "--alias", "a,b", "--load-mode", "mmap", "--no-slots", "--threads", "2", "--flash-attn", "auto",
                "--seed", "42", "-cb", "--log-disable", "--jinja", "--fake-honour-spec-request");
        try {
            assertEquals(501, get(s, "/slots").code(), "--no-slots disables /slots");
            assertEquals(501, get(s, "/metrics").code(), "/metrics needs --metrics");
            JsonNode props = get(s, "/props").json();
            assertEquals("a", props.get("model_alias").asText());
            assertEquals(1024, props.get("default_generation_settings").get("n_ctx").asInt());
            JsonNode c = postJson(s, "/completion", Map.of("prompt", "Hi", "n_predict", 4));
            assertFalse(c.get("timings").has("draft_n"), "a draft without --spec-type draft-simple is never used");
        } finally {
            s.close();
        }
        assertEquals(FakeServerState.STOPPED, s.state());
    }

    /**
     * A slot's context as llama-server sizes it: {@code -c} split among the {@code -np} slots, unless the KV cache is
     * unified ({@code -kvu}, or by default when {@code -np} is left to the server), which a unified slot shares whole
     * up to {@code --kv-unified-per-slot}. A prompt the slot cannot hold is refused.
     */
    @Test
    void aSlotHoldsItsShareOfTheContextUnlessTheCacheIsUnified() {
        Map<List<String>, Integer> perSlot = Map.of(
                List.of("-c", "1024", "-np", "2"), 512,
                List.of("-c", "1024", "-np", "2", "-kvu"), 1024,
                List.of("-c", "1024", "-np", "2", "--kv-unified", "--no-kv-unified"), 512,
                List.of("-c", "1024"), 1024,
                List.of("-c", "1024", "--kv-unified-per-slot", "300"), 300,
                List.of("-c", "1024", "-np", "4", "-kvu", "--kv-unified-per-slot", "600"), 600);
        perSlot.forEach((flags, expected) -> {
            List<String> args = new java.util.ArrayList<>(List.of("-m", "tiny-target.gguf", "--port", "0"));
            args.addAll(flags);
            FakeLlamaServer s = FakeTestSupport.startReady(vertx, CATALOG, FakeTestSupport.fast(),
                    args.toArray(String[]::new));
            try {
                assertEquals(expected, get(s, "/props").json().get("default_generation_settings").get("n_ctx")
                        .asInt(), flags::toString);
            } finally {
                s.close();
            }
        });
        FakeLlamaServer split = FakeTestSupport.startReady(vertx, CATALOG, FakeTestSupport.fast(), "-m",
                "tiny-target.gguf", "--port", "0", "-c", "1024", "-np", "2");
        try {
            FakeTestSupport.Reply tooLong = post(split, "/completion", Map.of("prompt", "word ".repeat(600)));
            assertEquals(400, tooLong.code(), "600 words do not fit a 512-token slot");
            assertEquals(512, tooLong.json().get("error").get("n_ctx").asInt());
        } finally {
            split.close();
        }
    }

    @Test
    void crashDropsInFlightStream() throws IOException {
        FakeLlamaServer s = FakeTestSupport.startReady(vertx, CATALOG, new FakeOptions(1.0, false, 3), "-m",
                "tiny-target.gguf", "--port", "0", "-ngl", "all");
        int port = s.port();
        List<String> lines = new ArrayList<>();
        boolean broke = false;
        try (Response r = FakeTestSupport.HTTP.newCall(new Request.Builder().url(s.baseUrl() + "/completion")
                .post(RequestBody.create(JSON.writeValueAsString(Map.of("prompt", "Tell me a long story",
                        "n_predict", 500, "ignore_eos", true, "stream", true)), JSON_TYPE)).build()).execute()) {
            BufferedSource src = r.body().source();
            for (int i = 0; i < 6; i++) {
                lines.add(src.readUtf8Line());
            }
            s.crash();
            try {
                String line;
                while ((line = src.readUtf8Line()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                broke = true;
            }
        }
        assertTrue(broke || lines.stream().noneMatch(l -> l.contains("\"stop\":true")),
                "the stream must break off without its final event");
        assertEquals(FakeServerState.STOPPED, s.state());
        assertEquals(1, s.stats().cancelled());
        assertThrows(Exception.class, () -> FakeTestSupport.HTTP.newCall(new Request.Builder()
                .url("http://127.0.0.1:" + port + "/health").build()).execute().close());
    }

    /**
     * A supervisor kills a server that did not stop within its grace and relaunches it on the same port at once (a
     * residency move): the relaunch must start, also when the kill came while the graceful stop was closing the socket.
     */
    @Test
    void aServerRelaunchedOnThePortOfOneJustKilledStarts() {
        FakeLlamaServer s = FakeTestSupport.startReady(vertx, CATALOG, FakeTestSupport.fast(), "-m",
                "tiny-target.gguf", "--host", "127.0.0.1", "--port", "0", "-ngl", "all");
        int port = s.port();
        for (int i = 0; i < 100; i++) {
            s.closeAsync();
            s.crash();
            assertEquals(FakeServerState.STOPPED, s.state());
            s = FakeTestSupport.startReady(vertx, CATALOG, FakeTestSupport.fast(), "-m", "tiny-target.gguf",
                    "--host", "127.0.0.1", "--port", Integer.toString(port), "-ngl", "all");
            assertEquals(port, s.port(), "relaunch " + i);
        }
        s.close();
    }

    @Test
    void clientDisconnectCancelsGeneration() throws IOException {
        FakeLlamaServer s = FakeTestSupport.startReady(vertx, CATALOG, new FakeOptions(1.0, false, 3), "-m",
                "tiny-target.gguf", "--port", "0", "-ngl", "all", "-np", "1");
        try {
            try (Response r = FakeTestSupport.HTTP.newCall(new Request.Builder().url(s.baseUrl() + "/completion")
                    .post(RequestBody.create(JSON.writeValueAsString(Map.of("prompt", "Tell me a long story",
                            "n_predict", 500, "ignore_eos", true, "stream", true)), JSON_TYPE)).build()).execute()) {
                BufferedSource src = r.body().source();
                src.readUtf8Line();
                src.readUtf8Line();
                assertEquals(1, s.stats().processing());
            }
            long deadline = System.currentTimeMillis() + 3000;
            while (s.stats().cancelled() < 1 && System.currentTimeMillis() < deadline) {
                FakeTestSupport.sleep(10);
            }
            assertEquals(1, s.stats().cancelled());
            assertEquals(0, s.stats().processing());
            // the slot is free again
            JsonNode c = postJson(s, "/completion", Map.of("prompt", "Hi", "n_predict", 2));
            assertNotEquals(0, c.get("tokens_predicted").asInt());
        } finally {
            s.close();
        }
    }

    @Test
    void requestsBeyondSlotsQueue() throws Exception {
        FakeLlamaServer s = FakeTestSupport.startReady(vertx, CATALOG, new FakeOptions(1.0, false, 3), "-m",
                "tiny-target.gguf", "--port", "0", "-ngl", "all", "-np", "1", "--metrics");
        try {
            List<Thread> threads = new ArrayList<>();
            List<JsonNode> results = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 3; i++) {
                int n = i;
                Thread t = new Thread(() -> results.add(postJson(s, "/completion", Map.of("prompt", "Story " + n,
                        "n_predict", 30, "ignore_eos", true))));
                threads.add(t);
                t.start();
            }
            long deadline = System.currentTimeMillis() + 3000;
            boolean sawDeferred = false;
            while (System.currentTimeMillis() < deadline && !sawDeferred) {
                sawDeferred = get(s, "/metrics").body().contains("llamacpp:requests_deferred 2");
                FakeTestSupport.sleep(2);
            }
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(sawDeferred, "two requests wait while one slot generates");
            assertEquals(3, results.size());
            assertEquals(2, s.stats().deferred());
            assertTrue(get(s, "/metrics").body().contains("llamacpp:requests_deferred 0"));
        } finally {
            s.close();
        }
    }
}
