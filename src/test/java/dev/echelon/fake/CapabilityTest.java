package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.registry.ModelSpec;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.echelon.fake.FakeTestSupport.JSON;
import static dev.echelon.fake.FakeTestSupport.postJson;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prompt beyond a model's capability yields the signals of a weak model. */
class CapabilityTest {

    static final List<String> PROMPTS = List.of(
            "Write a Python function that reverses a string and explain why it works",
            "Implement a Java method that checks whether a number is prime, then analyze its complexity",
            "Prove that there are infinitely many primes, step by step",
            "Design a distributed cache architecture and compare the trade-offs of each option",
            "Explain step by step how to optimize a slow SQL query with an index",
            "Write a JavaScript function to remove duplicates from an array and justify the design",
            "Solve the equation 3x + 7 = 22 and prove the answer is unique",
            "Compare microservices and a monolith for a team of five, then plan the migration in detail",
            "Implement fibonacci in Python with memoization and explain the complexity step by step",
            "Calculate 1234 * 5678 and explain each step",
            "Design the architecture of a payment service: components, interfaces, failure handling, scalability",
            "Write a Python script that counts word frequency in a file, then refactor it into functions",
            "Prove that the square root of two is irrational",
            "Explain how gradient descent trains a neural network, step by step, and evaluate its pitfalls",
            "Debug this code: def add(a, b): return a - b. Explain the bug and fix it",
            "Analyze the trade-offs of replication versus backups for a database, then design a plan",
            "Write a Java function that finds the largest number in an array, with unit tests",
            "Derive the derivative of x^3 + 2x and prove it with the limit definition",
            "Plan a migration of a monolith to services in detail: first the data, then the interfaces, finally the rollout",
            "Implement a palindrome check in JavaScript and explain the edge cases step by step",
            "Compute the probability of two sixes with two dice, then generalize to n dice",
            "Design and evaluate a scalable architecture for a chat application with multiple regions");

    static Vertx vertx;
    static FakeLlamaServer strong;
    static FakeLlamaServer weak;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        ModelSpec big = FakeTestSupport.model("big", "llama", 0.9, 8_000_000_000L, 40, 30);
        ModelSpec small = FakeTestSupport.model("small", "llama", 0.2, 1_000_000_000L, 16, 120);
        FakeModelCatalog cat = FakeTestSupport.catalog(big, small);
        strong = FakeTestSupport.startReady(vertx, cat, FakeTestSupport.fast(), "-m", "big.gguf", "--port", "0");
        weak = FakeTestSupport.startReady(vertx, cat, FakeTestSupport.fast(), "-m", "small.gguf", "--port", "0");
    }

    @AfterAll
    static void stop() {
        strong.close();
        weak.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    record Signals(double meanLogprob, double meanTopGap, int repetitions, int earlyStops, int answers) {
    }

    private static Signals run(FakeLlamaServer s) {
        double lpSum = 0;
        int lpN = 0;
        double gapSum = 0;
        int repetitions = 0;
        int early = 0;
        for (String p : PROMPTS) {
            JsonNode r = postJson(s, "/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user",
                    "content", p)), "max_tokens", 120, "logprobs", true, "top_logprobs", 3, "seed", 11));
            JsonNode choice = r.get("choices").get(0);
            for (JsonNode t : choice.get("logprobs").get("content")) {
                lpSum += t.get("logprob").asDouble();
                lpN++;
                JsonNode top = t.get("top_logprobs");
                gapSum += top.get(0).get("logprob").asDouble() - top.get(1).get("logprob").asDouble();
            }
            String content = choice.get("message").get("content").asText();
            if (repeats(content)) {
                repetitions++;
            }
            if ("stop".equals(choice.get("finish_reason").asText())
                    && r.get("usage").get("completion_tokens").asInt() <= 12) {
                early++;
            }
        }
        return new Signals(lpSum / lpN, gapSum / lpN, repetitions, early, PROMPTS.size());
    }

    /** The same 4-word phrase occurring three or more times. */
    static boolean repeats(String text) {
        String[] w = text.toLowerCase().split("\\s+");
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + 4 <= w.length; i++) {
            String k = String.join(" ", List.of(w).subList(i, i + 4));
            if (counts.merge(k, 1, Integer::sum) >= 3) {
                return true;
            }
        }
        return false;
    }

    @Test
    void promptsBeyondCapabilityLookWeak() {
        Signals s = run(strong);
        Signals w = run(weak);
        System.out.printf("capability 0.9: mean logprob %.3f, top1-top2 gap %.2f, repetition %d/%d, early stop %d/%d%n",
                s.meanLogprob(), s.meanTopGap(), s.repetitions(), s.answers(), s.earlyStops(), s.answers());
        System.out.printf("capability 0.2: mean logprob %.3f, top1-top2 gap %.2f, repetition %d/%d, early stop %d/%d%n",
                w.meanLogprob(), w.meanTopGap(), w.repetitions(), w.answers(), w.earlyStops(), w.answers());
        System.out.printf("logprob separation: %.3f nat%n", s.meanLogprob() - w.meanLogprob());
        assertTrue(s.meanLogprob() > -0.6, "capable model is confident: " + s.meanLogprob());
        assertTrue(w.meanLogprob() < -1.8, "weak model is not: " + w.meanLogprob());
        assertTrue(s.meanLogprob() - w.meanLogprob() > 1.0);
        assertTrue(w.meanTopGap() < s.meanTopGap(), "weak distributions are flatter");
        assertTrue(w.repetitions() + w.earlyStops() > s.repetitions() + s.earlyStops() + 4,
                "weak answers loop or stop early more often");
        assertTrue(s.repetitions() == 0, "a capable model does not loop");
    }

    @Test
    void weakModelsBreakJson() {
        int strongBroken = 0;
        int weakBroken = 0;
        for (String p : PROMPTS) {
            for (FakeLlamaServer s : List.of(strong, weak)) {
                String content = postJson(s, "/v1/chat/completions", Map.of("messages", List.of(Map.of("role",
                        "user", "content", p + ". Answer in JSON.")), "response_format", Map.of("type",
                        "json_object"), "seed", 3)).get("choices").get(0).get("message").get("content").asText();
                boolean valid;
                try {
                    valid = JSON.readTree(content).isObject();
                } catch (Exception e) {
                    valid = false;
                }
                if (!valid) {
                    if (s == strong) {
                        strongBroken++;
                    } else {
                        weakBroken++;
                    }
                }
            }
        }
        System.out.printf("broken JSON: capability 0.9 %d/%d, capability 0.2 %d/%d%n", strongBroken, PROMPTS.size(),
                weakBroken, PROMPTS.size());
        assertTrue(strongBroken == 0);
        assertTrue(weakBroken >= PROMPTS.size() / 2, "weak: " + weakBroken);
    }

    @Test
    void difficultyFollowsContent() {
        double hi = strong.difficulty("Hi", false);
        double fact = strong.difficulty("What is the capital of France?", false);
        double code = strong.difficulty("Write a Python function that sorts a list", false);
        double hard = strong.difficulty(PROMPTS.get(10), false);
        assertTrue(hi < fact + 0.05 && fact < code && code < hard, hi + " " + fact + " " + code + " " + hard);
        assertTrue(hard <= 1.0 && hi >= 0.0);
    }
}
