package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.ModelSpec;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.echelon.fake.FakeTestSupport.get;
import static dev.echelon.fake.FakeTestSupport.post;
import static dev.echelon.fake.FakeTestSupport.postJson;
import static dev.echelon.fake.FakeTestSupport.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading and generation are paced in real time as the cost model says. */
class FakeTimingTest {

    static Vertx vertx;
    static final CostModel COST = new CostModel();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void streamedDecodeRateMatchesCostModel() {
        ModelSpec m = FakeTestSupport.model("rate-model", "llama", 0.8, 4_000_000_000L, 32, 40);
        FakeLlamaServer s = FakeTestSupport.startReady(vertx, FakeTestSupport.catalog(m), new FakeOptions(1.0, false, 1),
                "-m", "rate-model.gguf", "--port", "0", "-ngl", "all", "-np", "1");
        try {
            double tpot = COST.decodeSecondsPerToken(Calibration.of(m), m.referenceVariant().bytes(), 1.0, 1);
            List<FakeTestSupport.Event> events = stream(s, "/completion", Map.of("prompt",
                    "Tell me about the history of Rome", "n_predict", 60, "ignore_eos", true, "stream", true));
            List<FakeTestSupport.Event> tokens = events.subList(0, events.size() - 1);
            assertEquals(60, tokens.size());
            double seconds = (tokens.get(tokens.size() - 1).nanos() - tokens.get(0).nanos()) / 1e9;
            double measuredRate = (tokens.size() - 1) / seconds;
            double expectedRate = 1.0 / tpot;
            double ratio = measuredRate / expectedRate;
            System.out.printf("decode rate: measured %.2f tok/s, cost model %.2f tok/s, ratio %.3f%n", measuredRate,
                    expectedRate, ratio);
            assertTrue(Math.abs(ratio - 1) < 0.2, "ratio " + ratio);
            JsonNode timings = events.get(events.size() - 1).json().get("timings");
            double reported = timings.get("predicted_per_second").asDouble();
            assertTrue(Math.abs(reported / expectedRate - 1) < 0.2, "reported rate " + reported);
        } finally {
            s.close();
        }
    }

    @Test
    void partialOffloadAndConcurrencySlowDecoding() {
        ModelSpec m = FakeTestSupport.model("slow-model", "llama", 0.8, 4_000_000_000L, 32, 400);
        FakeLlamaServer full = FakeTestSupport.startReady(vertx, FakeTestSupport.catalog(m),
                new FakeOptions(0.5, false, 1), "-m", "slow-model.gguf", "--port", "0", "-ngl", "all");
        FakeLlamaServer half = FakeTestSupport.startReady(vertx, FakeTestSupport.catalog(m),
                new FakeOptions(0.5, false, 1), "-m", "slow-model.gguf", "--port", "0", "-ngl", "16");
        try {
            Map<String, Object> req = Map.of("prompt", "Tell me about rivers", "n_predict", 40, "ignore_eos", true);
            double fullMs = postJson(full, "/completion", req).get("timings").get("predicted_ms").asDouble();
            double halfMs = postJson(half, "/completion", req).get("timings").get("predicted_ms").asDouble();
            Calibration c = Calibration.of(m);
            double expected = COST.decodeSecondsPerToken(c, m.referenceVariant().bytes(), 0.5, 1)
                    / COST.decodeSecondsPerToken(c, m.referenceVariant().bytes(), 1.0, 1);
            System.out.printf("-ngl 16/32 vs all: %.2fx slower (cost model %.2fx)%n", halfMs / fullMs, expected);
            assertTrue(Math.abs(halfMs / fullMs / expected - 1) < 0.25);
        } finally {
            full.close();
            half.close();
        }
    }

    @Test
    void concurrentRequestsShareDecodeBandwidth() throws Exception {
        ModelSpec m = FakeTestSupport.model("busy-model", "llama", 0.8, 4_000_000_000L, 32, 100);
        FakeLlamaServer s = FakeTestSupport.startReady(vertx, FakeTestSupport.catalog(m), new FakeOptions(0.5, false, 1),
                "-m", "busy-model.gguf", "--port", "0", "-ngl", "all", "-np", "3");
        try {
            List<JsonNode> results = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                Thread t = new Thread(() -> results.add(postJson(s, "/completion", Map.of("prompt", "Story " + n,
                        "n_predict", 60, "ignore_eos", true))));
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            double expected = 1.0 / (COST.decodeSecondsPerToken(Calibration.of(m), m.referenceVariant().bytes(), 1.0, 3)
                    * 0.5);
            for (JsonNode r : results) {
                double rate = r.get("timings").get("predicted_per_second").asDouble();
                System.out.printf("3 concurrent: %.1f tok/s each (cost model %.1f at time scale 0.5)%n", rate,
                        expected);
                assertTrue(Math.abs(rate / expected - 1) < 0.15, rate + " vs " + expected);
            }
        } finally {
            s.close();
        }
    }

    @Test
    void loadingAnswers503ForTheCostModelsLoadTime() {
        ModelSpec m = FakeTestSupport.model("load-model", "llama", 0.8, 4_000_000_000L, 32, 40);
        double expected = COST.loadSeconds(Calibration.of(m), m.referenceVariant().bytes(), 1.0, true, true);
        long t0 = System.nanoTime();
        FakeLlamaServer s = FakeLlamaServer.start(vertx, List.of("-m", "load-model.gguf", "--port", "0", "-ngl",
                "all"), FakeTestSupport.catalog(m), FakeOptions.DEFAULT);
        try {
            assertEquals(FakeServerState.LOADING, s.state());
            FakeTestSupport.Reply loading = get(s, "/health");
            assertEquals(503, loading.code());
            assertEquals("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}",
                    loading.body());
            assertEquals(503, post(s, "/completion", Map.of("prompt", "Hi")).code());
            assertEquals(503, get(s, "/props").code());
            long ready = -1;
            while (System.nanoTime() - t0 < 10_000_000_000L) {
                if (get(s, "/health").code() == 200) {
                    ready = System.nanoTime();
                    break;
                }
                FakeTestSupport.sleep(5);
            }
            assertTrue(ready > 0, "never became ready");
            double seconds = (ready - t0) / 1e9;
            System.out.printf("load: measured %.3f s, cost model %.3f s%n", seconds, expected);
            assertTrue(Math.abs(seconds - expected) < 0.15 + 0.05 * expected, "load took " + seconds);
            assertEquals(FakeServerState.READY, s.state());
            assertEquals("{\"status\":\"ok\"}", get(s, "/health").body());
        } finally {
            s.close();
        }
    }

    @Test
    void draftWeightsAddToLoadTimeAndWarmStartIsFaster() {
        ModelSpec t = FakeTestSupport.model("t-model", "llama", 0.8, 8_000_000_000L, 32, 40);
        ModelSpec d = FakeTestSupport.model("d-model", "llama", 0.3, 1_000_000_000L, 16, 200);
        FakeModelCatalog cat = FakeTestSupport.catalog(t, d);
        FakeLlamaServer cold = FakeLlamaServer.start(vertx, List.of("-m", "t-model.gguf", "-md", "d-model.gguf",
                "--port", "0", "-ngl", "8"), cat, new FakeOptions(0.001, true, 0));
        FakeLlamaServer warm = FakeLlamaServer.start(vertx, List.of("-m", "t-model.gguf", "--port", "0", "-ngl",
                "8"), cat, new FakeOptions(0.001, false, 0));
        try {
            Calibration c = Calibration.of(t);
            assertEquals(COST.loadSeconds(c, 9_000_000_000L, 0.25, true, true) * 0.001, cold.loadSeconds(), 1e-9);
            assertEquals(COST.loadSeconds(c, 8_000_000_000L, 0.25, false, true) * 0.001, warm.loadSeconds(), 1e-9);
        } finally {
            cold.close();
            warm.close();
        }
    }
}
