package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.ModelSpec;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.echelon.fake.FakeTestSupport.get;
import static dev.echelon.fake.FakeTestSupport.postJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Draft speculation follows E[tokens per pass] = (1 − α^(k+1)) / (1 − α), and v0.5.0's flag semantics. */
class SpeculationTest {

    static final ModelSpec TARGET = FakeTestSupport.model("target-14b", "qwen", 0.85, 8_000_000_000L, 48, 30);
    static final ModelSpec DRAFT = FakeTestSupport.model("draft-0.5b", "qwen", 0.3, 500_000_000L, 24, 300);
    static final FakeModelCatalog CATALOG = FakeTestSupport.catalog(TARGET, DRAFT);
    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static FakeLlamaServer server(FakeOptions options, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("-m", "target-14b.gguf", "--port", "0", "-ngl", "all",
                "-md", "draft-0.5b.gguf", "-ngld", "all", "--metrics"));
        args.addAll(List.of(extra));
        return FakeTestSupport.startReady(vertx, CATALOG, options, args.toArray(String[]::new));
    }

    private static long metric(FakeLlamaServer s, String name) {
        Matcher m = Pattern.compile("(?m)^llamacpp:" + name + " (\\S+)$").matcher(get(s, "/metrics").body());
        assertTrue(m.find(), name);
        return (long) Double.parseDouble(m.group(1));
    }

    private static void acceptanceMatchesFormula(String prompt, int k) {
        FakeLlamaServer s = server(FakeTestSupport.fast(), "--spec-type", "draft-simple", "--spec-draft-n-max",
                String.valueOf(k));
        try {
            double alpha = s.acceptanceRate(prompt, false);
            long drafted = 0;
            long accepted = 0;
            for (int i = 0; i < 200; i++) {
                JsonNode r = postJson(s, "/completion", Map.of("prompt", prompt, "n_predict", 256, "seed", i,
                        "temperature", 0.7));
                drafted += r.get("timings").get("draft_n").asLong();
                accepted += r.get("timings").get("draft_n_accepted").asLong();
            }
            long passes = metric(s, "spec_decode_num_drafts_total");
            assertEquals(drafted, metric(s, "spec_decode_num_draft_tokens_total"));
            assertEquals(accepted, metric(s, "spec_decode_num_accepted_tokens_total"));
            double measured = 1.0 + (double) accepted / passes;
            double expected = CostModel.expectedTokensPerPass(alpha, k);
            System.out.printf("speculation k=%d alpha=%.2f: %d passes, %.3f tokens/pass measured vs %.3f formula "
                    + "(ratio %.3f), drafted/pass %.2f%n", k, alpha, passes, measured, expected, measured / expected,
                    (double) drafted / passes);
            assertTrue(passes > 2000, "enough passes: " + passes);
            assertTrue(Math.abs(measured / expected - 1) < 0.10, measured + " vs " + expected);
        } finally {
            s.close();
        }
    }

    @Test
    void proseAcceptanceMatchesFormula() {
        acceptanceMatchesFormula("Tell me about the history of Rome and its roads", 4);
    }

    @Test
    void codeAcceptanceMatchesFormula() {
        acceptanceMatchesFormula("Write a Python function that sorts a list of numbers", 3);
    }

    @Test
    void acceptanceDependsOnContent() {
        FakeLlamaServer s = server(FakeTestSupport.fast(), "--spec-type", "draft-simple");
        try {
            double code = s.acceptanceRate("Write a Python function that sorts a list", false);
            double json = s.acceptanceRate("Describe a city", true);
            double math = s.acceptanceRate("What is 12 * 7?", false);
            double prose = s.acceptanceRate("Tell me about rivers", false);
            assertTrue(code > math && math > prose, code + " " + math + " " + prose);
            assertTrue(json > prose);
        } finally {
            s.close();
        }
    }

    @Test
    void perRequestSpeculativeFieldsAreIgnoredLikeV050() {
        FakeLlamaServer s = server(FakeTestSupport.fast(), "--spec-type", "draft-simple", "--spec-draft-n-max", "8");
        try {
            String prompt = "Once upon a time,";
            long reference = -1;
            for (Object n : List.of(1, 2, 8)) {
                for (boolean nested : List.of(false, true)) {
                    Map<String, Object> body = new HashMap<>(Map.of("prompt", prompt, "n_predict", 64, "temperature",
                            0, "ignore_eos", true));
                    if (nested) {
                        body.put("speculative", Map.of("n_max", n));
                    } else {
                        body.put("speculative.n_max", n);
                    }
                    JsonNode t = postJson(s, "/completion", body).get("timings");
                    if (reference < 0) {
                        reference = t.get("draft_n").asLong();
                    }
                    assertEquals(reference, t.get("draft_n").asLong(), "n_max " + n + " nested " + nested);
                }
            }
            assertTrue(reference > 0);
        } finally {
            s.close();
        }
    }

    @Test
    void fakeHonourSpecRequestFlagAppliesThem() {
        FakeLlamaServer s = server(FakeTestSupport.fast(), "--spec-type", "draft-simple", "--spec-draft-n-max", "8",
                "--fake-honour-spec-request");
        try {
            Map<String, Object> base = Map.of("prompt", "Once upon a time,", "n_predict", 64, "temperature", 0,
                    "ignore_eos", true);
            Map<String, Object> one = new HashMap<>(base);
            one.put("speculative.n_max", 1);
            Map<String, Object> eight = new HashMap<>(base);
            eight.put("speculative", Map.of("n_max", 8));
            JsonNode t1 = postJson(s, "/completion", one).get("timings");
            JsonNode t8 = postJson(s, "/completion", eight).get("timings");
            assertNotEquals(t1.get("draft_n").asLong(), t8.get("draft_n").asLong());
            assertTrue(t1.get("draft_n").asLong() <= 64);
            assertTrue(t1.get("draft_n_accepted").asLong() <= t1.get("draft_n").asLong());
        } finally {
            s.close();
        }
    }

    @Test
    void pMinDraftsLessButAcceptsTheSame() {
        FakeLlamaServer plain = server(FakeTestSupport.fast(), "--spec-type", "draft-simple", "--spec-draft-n-max",
                "6");
        FakeLlamaServer pmin = server(FakeTestSupport.fast(), "--spec-type", "draft-simple", "--spec-draft-n-max",
                "6", "--spec-draft-p-min", "0.8");
        try {
            Map<String, Object> body = Map.of("prompt", "Tell me about forests", "n_predict", 200, "temperature", 0,
                    "ignore_eos", true);
            JsonNode a = postJson(plain, "/completion", body).get("timings");
            JsonNode b = postJson(pmin, "/completion", body).get("timings");
            assertEquals(a.get("draft_n_accepted").asLong(), b.get("draft_n_accepted").asLong());
            assertTrue(b.get("draft_n").asLong() < a.get("draft_n").asLong());
        } finally {
            plain.close();
            pmin.close();
        }
    }

    @Test
    void speculationSpeedsUpDecodingAsTheCostModelSays() {
        FakeLlamaServer on = server(new FakeOptions(0.25, false, 5), "--spec-type", "draft-simple",
                "--spec-draft-n-max", "4");
        FakeLlamaServer off = server(new FakeOptions(0.25, false, 5));
        try {
            String prompt = "Write a Python function that sorts a list of numbers";
            Map<String, Object> body = Map.of("prompt", prompt, "n_predict", 80, "temperature", 0, "ignore_eos",
                    true);
            JsonNode a = postJson(on, "/completion", body).get("timings");
            JsonNode b = postJson(off, "/completion", body).get("timings");
            double speedup = a.get("predicted_per_second").asDouble() / b.get("predicted_per_second").asDouble();
            CostModel cost = new CostModel();
            double t = cost.decodeSecondsPerToken(Calibration.of(TARGET), TARGET.referenceVariant().bytes(), 1, 1);
            double d = cost.decodeSecondsPerToken(Calibration.of(DRAFT), DRAFT.referenceVariant().bytes(), 1, 1);
            double expected = t / cost.speculativeSecondsPerToken(t, d, 4, on.acceptanceRate(prompt, false));
            System.out.printf("speculative speed-up: %.2fx measured (one request), %.2fx expected%n", speedup,
                    expected);
            assertTrue(speedup > 1.3, "speed-up " + speedup);
            assertTrue(Math.abs(speedup / expected - 1) < 0.35, speedup + " vs " + expected);
        } finally {
            on.close();
            off.close();
        }
    }
}
