package dev.echelon.backend;

import dev.echelon.fake.FakeLlamaServer;
import dev.echelon.fake.FakeModel;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import dev.echelon.registry.MockProfile;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.VariantSpec;
import io.vertx.core.Vertx;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against the fake llama-server: the two halves of the protocol must agree. */
class LlamaServerClientAgainstFakeTest {

    /** 1 GB, 40 tokens/s on GPU, 1 s to load cold; prompt processing 2 000 tokens/s on GPU, 5 on CPU. */
    static final ModelSpec MODEL = new ModelSpec("mid", "qwen2.5",
            List.of(new VariantSpec("q4_k_m", "mid-q4_k_m.gguf", "Q4_K_M", 1_000_000_000L, 28, 57_344, 32_768)),
            new MockProfile(0.6, 2_000, 40, 5, 4, 2e9, 2e9, 200));
    static final FakeModelCatalog CATALOG = path -> Optional.of(new FakeModel(MODEL, MODEL.referenceVariant()));

    static Vertx vertx;
    static OkHttpClient http;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
        http = new OkHttpClient();
    }

    @AfterAll
    static void tearDown() {
        vertx.close();
    }

    private static FakeLlamaServer fake(double timeScale, String ngl) {
        return FakeLlamaServer.start(vertx, List.of("-m", "mid-q4_k_m.gguf", "--port", "0", "-ngl", ngl, "-np", "2",
                "-a", "worker", "--metrics"), CATALOG, FakeOptions.DEFAULT.withTimeScale(timeScale));
    }

    private static LlamaServerClient client(FakeLlamaServer s, BackendTimeouts t) {
        return new LlamaServerClient(HttpUrl.get(s.baseUrl()), "worker-0", http, t);
    }

    private static LlamaServerClient readyClient(FakeLlamaServer s) {
        assertTrue(s.awaitReady(Duration.ofSeconds(10)));
        return client(s, BackendTimeouts.of(1_000, 10_000, 0));
    }

    @Test
    void jsonCompletionAndChatCarryTokensLogprobsAndTimings() {
        try (FakeLlamaServer s = fake(0.02, "all")) {
            LlamaServerClient c = readyClient(s);
            CompletionResponse r = c.completion(CompletionRequest.builder().prompt("Tell me about the river.")
                    .nPredict(16).nProbs(3).temperature(0.0).build());
            assertFalse(r.content().isBlank());
            assertTrue(r.isStopped());
            assertTrue(List.of("eos", "limit", "word").contains(r.stopType()), r.stopType());
            assertEquals(r.tokensPredicted(), r.completionProbabilities().size());
            assertEquals(3, r.completionProbabilities().get(0).topLogprobs().size());
            assertEquals(r.tokensPredicted(), r.timings().predictedN());

            ChatResponse chat = c.chat(ChatRequest.of(List.of(ChatMessage.user("Hello, who are you?")))
                    .withMaxTokens(12));
            assertEquals("chat.completion", chat.object());
            assertNotNull(chat.firstChoice().orElseThrow().message().contentText());
            assertTrue(chat.usage().completionTokens() > 0);
            assertEquals("worker", c.props().modelAlias());
            assertTrue(c.metrics().value("llamacpp:tokens_predicted_total") >= r.tokensPredicted());
            assertEquals(2, c.slots().size());
            TokenizeResult t = c.tokenize("Once upon a time", false, false);
            assertEquals("Once upon a time", c.detokenize(t.ids()));
        }
    }

    @Test
    void streamIsPacedByTheModelsDecodeRate() throws Exception {
        try (FakeLlamaServer s = fake(1.0, "all")) {
            s.awaitReady(Duration.ofSeconds(10));
            LlamaServerClient c = client(s, BackendTimeouts.of(1_000, 10_000, 0));
            List<Long> arrivals = new CopyOnWriteArrayList<>();
            List<CompletionResponse> chunks = new CopyOnWriteArrayList<>();
            StreamHandle h = c.completionStream(CompletionRequest.builder().prompt("Write a long story about a ship.")
                    .nPredict(24).build(), new Collect<>(chunks, arrivals));
            h.done().get(20, TimeUnit.SECONDS);
            CompletionResponse last = chunks.get(chunks.size() - 1);
            assertTrue(last.isStopped());
            assertNotNull(last.timings(), "the final event carries timings");
            int tokens = last.tokensPredicted();
            assertTrue(tokens >= 8, "enough tokens to measure: " + tokens);
            double spreadSec = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1e9;
            double expected = (tokens - 1) / 40.0; // 40 tokens/s, all layers on GPU
            assertTrue(spreadSec > 0.6 * expected && spreadSec < 1.6 * expected,
                    "tokens arrived over " + spreadSec + " s; 40 tok/s means ~" + expected + " s");
        }
    }

    @Test
    void loadingServerAnswers503AsBackendLoadingException() {
        try (FakeLlamaServer s = fake(1.0, "all")) { // 1 GB from a 2 GB/s disk: about 1.2 s of loading
            LlamaServerClient c = client(s, BackendTimeouts.of(1_000, 5_000, 0));
            BackendLoadingException e = assertThrows(BackendLoadingException.class, c::health);
            assertTrue(e.getMessage().contains("worker-0"), e.getMessage());
            assertThrows(BackendLoadingException.class,
                    () -> c.completion(CompletionRequest.ofPrompt("hi").withNPredict(4)));
            assertFalse(c.isReady());
            assertTrue(s.awaitReady(Duration.ofSeconds(10)));
            assertTrue(c.isReady());
        }
    }

    @Test
    void cancellingAStreamStopsTheGenerationOnTheServer() throws Exception {
        try (FakeLlamaServer s = fake(1.0, "all")) {
            LlamaServerClient c = readyClient(s);
            List<CompletionResponse> chunks = new CopyOnWriteArrayList<>();
            Collect<CompletionResponse> listener = new Collect<>(chunks, new ArrayList<>());
            StreamHandle h = c.completionStream(CompletionRequest.builder().prompt("Describe the sea at length.")
                    .nPredict(400).build(), listener);
            waitFor(() -> chunks.size() >= 3, 5_000);
            h.cancel();
            BackendException err = listener.error.get(5, TimeUnit.SECONDS);
            assertInstanceOf(BackendCancelledException.class, err);
            int seen = chunks.size();
            waitFor(() -> s.stats().processing() == 0, 3_000);
            assertEquals(1, s.stats().cancelled(), "the fake saw the client go and freed the slot");
            Thread.sleep(200);
            assertEquals(seen, chunks.size(), "no events after cancel");
        }
    }

    @Test
    void backendDyingMidStreamIsAnError() throws Exception {
        FakeLlamaServer s = fake(1.0, "all");
        LlamaServerClient c = readyClient(s);
        List<CompletionResponse> chunks = new CopyOnWriteArrayList<>();
        Collect<CompletionResponse> listener = new Collect<>(chunks, new ArrayList<>());
        c.completionStream(CompletionRequest.builder().prompt("Tell a long tale.").nPredict(400).build(), listener);
        waitFor(() -> chunks.size() >= 2, 5_000);
        s.crash();
        BackendException err = listener.error.get(5, TimeUnit.SECONDS);
        assertTrue(err instanceof BackendUnavailableException || err instanceof BackendProtocolException, err.toString());
        assertTrue(err.getMessage().contains("worker-0"), err.getMessage());
        assertThrows(BackendUnavailableException.class, c::health, "nothing listens after the crash");
    }

    @Test
    void backendThatNeverAnswersTimesOut() {
        // All layers on CPU at 5 prompt tokens/s: a long prompt takes minutes before the first byte.
        try (FakeLlamaServer s = fake(1.0, "0")) {
            assertTrue(s.awaitReady(Duration.ofSeconds(10)));
            LlamaServerClient c = client(s, BackendTimeouts.of(500, 400, 0));
            String prompt = "Summarise the following report. ".repeat(200);
            long t0 = System.nanoTime();
            BackendTimeoutException e = assertThrows(BackendTimeoutException.class,
                    () -> c.completion(CompletionRequest.ofPrompt(prompt).withNPredict(8)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(BackendTimeoutException.Phase.FIRST_BYTE, e.phase());
            assertTrue(ms < 3_000, "gave up after " + ms + " ms");
        }
    }

    static void waitFor(java.util.function.BooleanSupplier cond, long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not within " + ms + " ms");
            }
            Thread.sleep(10);
        }
    }

    /** Collects events with their arrival time and the terminal outcome. */
    static final class Collect<T> implements StreamListener<T> {
        final List<T> events;
        final List<Long> arrivals;
        final CompletableFuture<BackendException> error = new CompletableFuture<>();

        Collect(List<T> events, List<Long> arrivals) {
            this.events = events;
            this.arrivals = arrivals;
        }

        @Override
        public void onEvent(T event) {
            arrivals.add(System.nanoTime());
            events.add(event);
        }

        @Override
        public void onComplete() {
            error.complete(null);
        }

        @Override
        public void onError(BackendException e) {
            error.complete(e);
        }
    }
}
