package dev.echelon.backend;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against the recorded llama-server v0.5.0 answers, served by MockWebServer. */
class LlamaServerClientRecordedTest {

    static final OkHttpClient SHARED = new OkHttpClient();

    MockWebServer server;
    LlamaServerClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        client = new LlamaServerClient(server.url("/"), "coder-0", SHARED, BackendTimeouts.of(1000, 2000, 5000));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    RecordedRequest taken() throws InterruptedException {
        RecordedRequest r = server.takeRequest(1, TimeUnit.SECONDS);
        assertNotNull(r, "no request reached the server");
        return r;
    }

    JsonNode body(RecordedRequest r) throws Exception {
        return BackendJson.mapper().readTree(r.getBody().readUtf8());
    }

    @Test
    void healthOk() throws Exception {
        server.enqueue(Recorded.response("health"));
        Health h = client.health();
        assertTrue(h.ok());
        assertEquals("ok", h.status());
        RecordedRequest r = taken();
        assertEquals("GET", r.getMethod());
        assertEquals("/health", r.getPath());
        assertNull(r.getHeader(LlamaServerClient.REQUEST_ID_HEADER));
    }

    @Test
    void healthLoadingThrowsLoading() {
        server.enqueue(Recorded.loading());
        BackendLoadingException e = assertThrows(BackendLoadingException.class, client::health);
        assertEquals("Loading model", e.serverMessage());
        assertEquals("coder-0", e.instanceId());
        assertEquals("GET /health", e.endpoint());
        assertTrue(e.getMessage().startsWith("instance coder-0 (" + client.baseUrl().toString().replaceAll("/$", "")
                + ") GET /health: "), e.getMessage());
    }

    @Test
    void isReadyOnlyOn200() {
        server.enqueue(Recorded.response("health"));
        server.enqueue(Recorded.loading());
        server.enqueue(new MockResponse().setResponseCode(500).setBody("oops"));
        assertTrue(client.isReady());
        assertFalse(client.isReady());
        assertFalse(client.isReady());
    }

    @Test
    void props() {
        server.enqueue(Recorded.response("props"));
        Props p = client.props();
        assertEquals(2, p.totalSlots());
        assertEquals("tiny-target", p.modelAlias());
        assertEquals("models/tiny-target-f32.gguf", p.modelPath());
        assertEquals(256, p.nCtx());
        assertEquals("b0-de3ff81", p.buildInfo());
        assertEquals("<s>", p.bosToken());
        assertEquals("</s>", p.eosToken());
        assertTrue(p.chatTemplate().contains("<|im_start|>"));
        assertEquals(List.of("none"), p.speculativeTypes());
        assertEquals(40, p.defaultParams().path("top_k").asInt());
        assertTrue(p.raw().path("endpoint_slots").asBoolean());
    }

    @Test
    void propsSpeculativeServer() {
        server.enqueue(new MockResponse().setBody(Recorded.require("props_speculative.json"))
                .setHeader("Content-Type", "application/json"));
        Props p = client.props();
        assertEquals(1, p.totalSlots());
        assertEquals(2048, p.nCtx());
        assertEquals("models/tiny-target.gguf", p.modelPath());
    }

    @Test
    void models() throws Exception {
        server.enqueue(Recorded.response("v1_models"));
        ModelList m = client.models();
        assertEquals("list", m.object());
        assertEquals(1, m.data().size());
        ModelList.Model model = m.first().orElseThrow();
        assertEquals("tiny-target", model.id());
        assertEquals("llamacpp", model.ownedBy());
        assertEquals(32000, model.meta().nVocab());
        assertEquals(256, model.meta().nCtxTrain());
        assertEquals(9045120L, model.meta().nParams());
        assertEquals(36180480L, model.meta().size());
        assertEquals(1, model.meta().vocabType());
        assertEquals("/v1/models", taken().getPath());
    }

    @Test
    void slots() {
        server.enqueue(Recorded.response("slots"));
        List<SlotState> slots = client.slots();
        assertEquals(2, slots.size());
        SlotState s0 = slots.get(0);
        assertEquals(0, s0.id());
        assertEquals(256, s0.nCtx());
        assertEquals(46, s0.idTask());
        assertEquals(36, s0.nPromptTokens());
        assertFalse(s0.speculative());
        assertFalse(s0.busy());
        assertEquals(List.of("none"), s0.speculativeTypes());
        assertEquals(4, s0.params().path("n_predict").asInt());
        assertEquals(1, slots.get(1).id());
        assertEquals(56, slots.get(1).idTask());
    }

    @Test
    void completion() throws Exception {
        server.enqueue(Recorded.response("completion"));
        CompletionRequest req = CompletionRequest.builder()
                .prompt("Once upon a time,").nPredict(12).temperature(0.0).seed(42L).cachePrompt(true)
                .stop(List.of("\n")).speculative(8, 2, 0.5).extra("ignore_eos", false).build();
        CompletionResponse r = client.withRequestId("req-123").completion(req);

        assertEquals(" sawI lost the park. \"I like the park.", r.content());
        assertEquals(12, r.tokens().size());
        assertEquals(4446, r.tokens().get(0));
        assertEquals(12, r.tokensPredicted());
        assertEquals(6, r.tokensEvaluated());
        assertEquals("limit", r.stopType());
        assertEquals("", r.stoppingWord());
        assertFalse(r.truncated());
        assertTrue(r.isStopped());
        assertEquals(1, r.idSlot());
        assertEquals(17, r.tokensCached());
        assertEquals("tiny-target", r.model());
        assertEquals(List.of("none"), r.speculativeTypes());
        Timings t = r.timings();
        assertEquals(0, t.cacheN());
        assertEquals(6, t.promptN());
        assertEquals(368.344, t.promptMs(), 1e-9);
        assertEquals(12, t.predictedN());
        assertEquals(5.9981820055630415, t.predictedPerSecond(), 1e-12);
        assertNull(t.draftN());
        assertTrue(t.draftAcceptance().isEmpty());
        assertNull(r.completionProbabilities());

        RecordedRequest rr = taken();
        assertEquals("POST", rr.getMethod());
        assertEquals("/completion", rr.getPath());
        assertEquals("req-123", rr.getHeader("X-Request-Id"));
        assertTrue(rr.getHeader("Content-Type").startsWith("application/json"));
        JsonNode sent = body(rr);
        assertEquals("Once upon a time,", sent.get("prompt").asText());
        assertEquals(12, sent.get("n_predict").asInt());
        assertFalse(sent.get("stream").asBoolean());
        assertTrue(sent.get("cache_prompt").asBoolean());
        assertEquals(42, sent.get("seed").asLong());
        assertEquals("\n", sent.get("stop").get(0).asText());
        assertEquals(8, sent.at("/speculative/n_max").asInt());
        assertEquals(2, sent.at("/speculative/n_min").asInt());
        assertEquals(0.5, sent.at("/speculative/p_min").asDouble());
        assertFalse(sent.get("ignore_eos").asBoolean());
        assertFalse(sent.has("extra"));
        assertFalse(sent.has("grammar"), "nulls must be omitted: " + sent);
        assertFalse(sent.has("n_probs"));
    }

    @Test
    void completionWithTokenPrompt() throws Exception {
        server.enqueue(Recorded.response("completion_tokens_prompt"));
        CompletionResponse r = client.completion(CompletionRequest.ofTokens(List.of(1, 9038, 2501, 263, 931, 29892))
                .withNPredict(4));
        assertEquals(List.of(4446, 29902, 5714, 278), r.tokens());
        JsonNode sent = body(taken());
        assertTrue(sent.get("prompt").isArray());
        assertEquals(9038, sent.get("prompt").get(1).asInt());
    }

    @Test
    void completionProbabilities() {
        server.enqueue(Recorded.response("completion_probs"));
        CompletionResponse r = client.completion(CompletionRequest.builder().prompt("x").nProbs(3).build());
        List<TokenProbability> probs = r.completionProbabilities();
        assertEquals(3, probs.size());
        TokenProbability first = probs.get(0);
        assertEquals(4446, first.id());
        assertEquals(" saw", first.token());
        assertEquals(List.of(32, 115, 97, 119), first.bytes());
        assertEquals(-0.667278528213501, first.logprob(), 1e-15);
        assertEquals(Math.exp(-0.667278528213501), first.probability().getAsDouble(), 1e-12);
        assertEquals(3, first.topLogprobs().size());
        assertEquals(" smiled", first.alternatives().get(2).token());
        assertEquals(-2.7043955326080322, first.alternatives().get(2).logprob(), 1e-15);
        assertEquals(" lost", probs.get(2).token());
    }

    @Test
    void completionPostSamplingProbabilities() {
        server.enqueue(Recorded.response("completion_postprobs"));
        CompletionResponse r = client.completion(CompletionRequest.builder().prompt("x").nProbs(3)
                .postSamplingProbs(true).build());
        TokenProbability p = r.completionProbabilities().get(1);
        assertEquals("I", p.token());
        assertEquals(1.0, p.prob());
        assertNull(p.logprob());
        assertEquals(0.0, p.logprobValue().getAsDouble(), 0.0);
        assertEquals(1, p.alternatives().size());
        assertEquals(29902, p.topProbs().get(0).id());
        assertTrue(r.tokens().isEmpty());
    }

    @Test
    void completionSpeculativeTimings() {
        server.enqueue(Recorded.response("completion_speculative"));
        CompletionResponse r = client.completion(CompletionRequest.ofPrompt("Once upon a time,"));
        assertEquals(48, r.tokensPredicted());
        assertEquals(46, r.timings().draftN());
        assertEquals(35, r.timings().draftNAccepted());
        assertEquals(35.0 / 46.0, r.timings().draftAcceptance().getAsDouble(), 1e-12);
        assertEquals(List.of("none", "draft-simple"), r.speculativeTypes());
    }

    @Test
    void chat() throws Exception {
        server.enqueue(Recorded.response("chat"));
        ChatRequest req = ChatRequest.builder()
                .message(ChatMessage.system("Be brief."))
                .message(ChatMessage.user("Hi"))
                .maxTokens(12).logprobs(true).topLogprobs(2).temperature(0.0)
                .extra("cache_prompt", true)
                .build();
        ChatResponse r = client.chat(req);
        assertEquals("chatcmpl-RJAeLM4NcyCHIbLEYKgTNbMq02X7mAFA", r.id());
        assertEquals("chat.completion", r.object());
        assertEquals(1795240401L, r.created());
        assertEquals("tiny-target", r.model());
        assertEquals("b0-de3ff81", r.systemFingerprint());
        assertEquals("length", r.finishReason());
        ChatChoice c = r.firstChoice().orElseThrow();
        assertEquals(0, c.index());
        assertEquals("assistant", c.message().role());
        assertEquals("Once upon a time, \"I likeI lost the river", r.contentText());
        List<TokenProbability> lp = c.logprobs().content();
        assertEquals(12, lp.size());
        assertEquals("Once", lp.get(0).token());
        assertEquals(-3.4690503525780514e-05, lp.get(0).logprob(), 1e-18);
        assertEquals(" ran", lp.get(0).topLogprobs().get(1).token());
        assertEquals(33, r.usage().promptTokens());
        assertEquals(12, r.usage().completionTokens());
        assertEquals(45, r.usage().totalTokens());
        assertEquals(0, r.usage().cachedTokens().orElseThrow());
        assertEquals(33, r.timings().promptN());

        RecordedRequest rr = taken();
        assertEquals("/v1/chat/completions", rr.getPath());
        JsonNode sent = body(rr);
        assertEquals("system", sent.at("/messages/0/role").asText());
        assertEquals("Be brief.", sent.at("/messages/0/content").asText());
        assertEquals("Hi", sent.at("/messages/1/content").asText());
        assertEquals(12, sent.get("max_tokens").asInt());
        assertTrue(sent.get("logprobs").asBoolean());
        assertEquals(2, sent.get("top_logprobs").asInt());
        assertFalse(sent.get("stream").asBoolean());
        assertTrue(sent.get("cache_prompt").asBoolean());
        assertFalse(sent.has("tools"));
    }

    @Test
    void tokenizeWithPieces() throws Exception {
        server.enqueue(Recorded.response("tokenize"));
        TokenizeResult t = client.tokenize("Once upon a time, Tom went to the park.", false, true);
        assertEquals(11, t.ids().size());
        assertEquals(9038, t.ids().get(0));
        assertEquals(" Once", t.pieces().get(0));
        assertEquals(".", t.pieces().get(10));
        JsonNode sent = body(taken());
        assertEquals("Once upon a time, Tom went to the park.", sent.get("content").asText());
        assertTrue(sent.get("with_pieces").asBoolean());
        assertFalse(sent.get("add_special").asBoolean());
    }

    @Test
    void tokenizePlain() throws Exception {
        server.enqueue(Recorded.response("tokenize_plain"));
        TokenizeResult t = client.tokenize("Once upon a time", true, false);
        assertEquals(List.of(1, 9038, 2501, 263, 931), t.ids());
        assertNull(t.pieces());
        assertTrue(body(taken()).get("add_special").asBoolean());
    }

    @Test
    void detokenize() throws Exception {
        server.enqueue(Recorded.response("detokenize"));
        assertEquals("<s> Once upon a time", client.detokenize(List.of(1, 9038, 2501, 263, 931)));
        RecordedRequest rr = taken();
        assertEquals("/detokenize", rr.getPath());
        assertEquals(931, body(rr).get("tokens").get(4).asInt());
    }

    @Test
    void applyTemplate() throws Exception {
        server.enqueue(Recorded.response("apply_template"));
        String prompt = client.applyTemplate(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n", prompt);
        RecordedRequest rr = taken();
        assertEquals("/apply-template", rr.getPath());
        assertEquals("user", body(rr).at("/messages/1/role").asText());
    }

    @Test
    void metrics() {
        server.enqueue(new MockResponse().setBody(Recorded.require("metrics_speculative.txt"))
                .setHeader("Content-Type", "text/plain; version=0.0.4"));
        PrometheusMetrics m = client.metrics();
        assertEquals(61, m.value("llamacpp:spec_decode_num_draft_tokens_total"));
        assertEquals(46, m.value("llamacpp:spec_decode_num_accepted_tokens_total"));
        assertEquals(649.113, m.value("llamacpp:predicted_tokens_seconds"), 1e-9);
    }

    @Test
    void badJson500IsHttpExceptionWithServerError() {
        server.enqueue(Recorded.response("bad_json"));
        BackendHttpException e = assertThrows(BackendHttpException.class,
                () -> client.completion(CompletionRequest.ofPrompt("x")));
        assertEquals(500, e.statusCode());
        assertEquals("server_error", e.errorType());
        assertTrue(e.serverMessage().startsWith("[json.exception.parse_error.101]"));
        assertTrue(e.getMessage().contains("instance coder-0"), e.getMessage());
        assertTrue(e.getMessage().contains("POST /completion: HTTP 500 server_error: [json.exception"),
                e.getMessage());
    }

    @Test
    void noPrompt400IsHttpExceptionWithInvalidRequest() {
        server.enqueue(Recorded.response("no_prompt"));
        BackendHttpException e = assertThrows(BackendHttpException.class,
                () -> client.completion(CompletionRequest.builder().nPredict(1).build()));
        assertEquals(400, e.statusCode());
        assertEquals("invalid_request_error", e.errorType());
        assertEquals("[json.exception.out_of_range.403] key 'prompt' not found", e.serverMessage());
        assertEquals("POST /completion", e.endpoint());
    }

    @Test
    void non503ErrorOn503IsHttpException() {
        server.enqueue(new MockResponse().setResponseCode(503).setBody("{\"error\":{\"code\":503,"
                + "\"message\":\"no slot available\",\"type\":\"server_error\"}}"));
        BackendHttpException e = assertThrows(BackendHttpException.class, client::props);
        assertEquals(503, e.statusCode());
    }

    @Test
    void nonJsonErrorBodyIsKeptInMessage() {
        server.enqueue(new MockResponse().setResponseCode(404).setBody("File Not Found"));
        BackendHttpException e = assertThrows(BackendHttpException.class, client::slots);
        assertEquals(404, e.statusCode());
        assertNull(e.errorType());
        assertTrue(e.getMessage().endsWith("GET /slots: HTTP 404: File Not Found"), e.getMessage());
    }

    @Test
    void nonJson200IsProtocolError() {
        server.enqueue(new MockResponse().setBody("<html>hello</html>"));
        BackendProtocolException e = assertThrows(BackendProtocolException.class, client::props);
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertTrue(e.getMessage().contains("<html>hello</html>"), e.getMessage());
    }

    @Test
    void wrongShapeIsProtocolError() {
        server.enqueue(new MockResponse().setBody("{\"tokens\":\"nope\"}"));
        assertThrows(BackendProtocolException.class, () -> client.tokenize("x"));
        server.enqueue(new MockResponse().setBody("{\"id\":0}"));
        BackendProtocolException e = assertThrows(BackendProtocolException.class, client::slots);
        assertTrue(e.getMessage().contains("expected a JSON array"), e.getMessage());
    }

    @Test
    void baseUrlWithPathPrefix() throws Exception {
        LlamaServerClient prefixed = new LlamaServerClient(server.url("/llama/"), "p-0", SHARED,
                BackendTimeouts.of(1000, 2000, 0));
        server.enqueue(Recorded.response("health"));
        assertTrue(prefixed.health().ok());
        assertEquals("/llama/health", taken().getPath());
        LlamaServerClient noSlash = new LlamaServerClient(server.url("/").newBuilder().encodedPath("/").build(),
                "p-1", SHARED, BackendTimeouts.DEFAULTS);
        server.enqueue(Recorded.response("health"));
        assertTrue(noSlash.isReady());
        assertEquals("/health", taken().getPath());
    }
}
