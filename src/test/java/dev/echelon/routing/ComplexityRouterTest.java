package dev.echelon.routing;

import dev.echelon.registry.Tier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComplexityRouterTest {

    static final SkillTracker.Config TRACKER = new SkillTracker.Config(0.98, Duration.ofDays(7), 4.0, 0.0, 1.645, 7);
    static final ComplexityRouter.Config ROUTER = ComplexityRouter.Config.DEFAULTS.withExplore(false);

    /** One clear prompt per category, with the role the default priors should pick for it. */
    static final Map<String, String> PROMPTS = new LinkedHashMap<>();

    static {
        PROMPTS.put("hey, good morning!", "frontdoor");
        PROMPTS.put("Who wrote War and Peace?", "frontdoor");
        PROMPTS.put("Solve for x: 4x - 7 = 2x + 9, and check the solution.", "math");
        PROMPTS.put("What's the probability of getting at least one six in four rolls of a fair die?", "math");
        PROMPTS.put("Implement a thread-safe bounded blocking queue in Java with put and take, handle interrupts "
                + "correctly and explain why there are no race conditions or deadlocks.", "coder");
        PROMPTS.put("Design the architecture of a multi-region event-driven order platform: service boundaries, "
                + "Kafka topics, sharding of the order database, failover and consistency trade-offs.", "architect");
        PROMPTS.put("Why do some countries drive on the left? Compare the historical explanations and explain "
                + "which one seems most convincing.", "worker");
        PROMPTS.put("Here is our full incident report.\n" + "At 10:02 the checkout service started timing out. "
                .repeat(400) + "\nSummarise the root cause.", "architect");
    }

    static SkillTracker tracker() {
        return ComplexityRouter.trackerFor(RoutingFixtures.REGISTRY, TRACKER);
    }

    static ComplexityRouter router(SkillTracker tracker) {
        return ComplexityRouter.create(RoutingFixtures.REGISTRY, null, tracker, ROUTER);
    }

    static Map<String, String> choices(ComplexityRouter r) {
        Map<String, String> m = new LinkedHashMap<>();
        PROMPTS.keySet().forEach(p -> m.put(p, r.route(RoutingFixtures.chat(p), null).decision().role()));
        return m;
    }

    @Test
    void picksTheCheapestRoleLikelyToSucceed() {
        ComplexityRouter r = router(tracker());
        PROMPTS.forEach((prompt, expected) -> {
            ComplexityRouter.Routed routed = r.route(RoutingFixtures.chat(prompt), null);
            assertEquals(expected, routed.decision().role(), routed.decision().reason());
        });
    }

    @Test
    void decisionAndExplanationAreConsistent() {
        ComplexityRouter r = router(tracker());
        ComplexityRouter.Routed routed = r.route(RoutingFixtures.chat(
                "Solve for x: 4x - 7 = 2x + 9, and check the solution."), null);
        RoutingDecision d = routed.decision();
        ComplexityRouter.Explanation ex = routed.explanation();
        assertEquals("math", d.role());
        assertEquals(Tier.C, d.tier());
        assertEquals("math", ex.category());
        assertEquals("rules", ex.categorySource());
        assertTrue(d.reason().contains("math") && d.reason().contains("difficulty")
                && d.reason().contains("predicted success"), d.reason());
        assertEquals(ex.candidates().get(0).predictedSuccess(), d.confidence(), 1e-12);
        assertEquals(r.candidates().size(), ex.candidates().size());
        assertEquals(r.candidates().size() - 1, d.alternatives().size());
        assertEquals(ex.candidates().stream().skip(1).map(ComplexityRouter.Candidate::role).toList(),
                d.alternatives());
        assertTrue(ex.candidates().get(0).meetsTarget());
        for (ComplexityRouter.Candidate c : ex.candidates()) {
            if (c.meetsTarget()) {
                assertTrue(c.effectiveCost() >= ex.candidates().get(0).effectiveCost(), c.toString());
            }
            assertEquals(RoutingFixtures.REGISTRY.requireRole(c.role()).routing().cost(), c.cost(), 1e-12);
        }
        assertNull(routed.queryVector(), "no index, no vector");
        String json = assertDoesNotThrow(() -> RoutingFixtures.JSON.writeValueAsString(ex));
        assertTrue(json.contains("\"candidates\"") && json.contains("\"predictedSuccess\"")
                && json.contains("\"features\""), json);
        assertEquals(Tier.A, r.route(RoutingFixtures.chat("hello!"), null).decision().tier());
    }

    @Test
    void whenNoRoleReachesTheTargetTheMostLikelyWins() {
        ComplexityRouter r = ComplexityRouter.create(RoutingFixtures.REGISTRY, null, tracker(),
                ROUTER.withTarget(0.999));
        ComplexityRouter.Routed routed = r.route(RoutingFixtures.chat("Who wrote War and Peace?"), null);
        double best = routed.explanation().candidates().stream()
                .mapToDouble(ComplexityRouter.Candidate::predictedSuccess).max().orElseThrow();
        assertEquals(best, routed.decision().confidence(), 1e-12);
        assertTrue(routed.decision().reason().contains("no role reaches target"), routed.decision().reason());
    }

    @Test
    void expectedWaitMakesAColdRoleDearer() {
        ComplexityRouter r = router(tracker());
        String hello = "hey, good morning!";
        assertEquals("frontdoor", r.route(RoutingFixtures.chat(hello), null).decision().role());
        ComplexityRouter.Routed cold = r.route(RoutingFixtures.chat(hello),
                role -> role.equals("frontdoor") ? 100 : 0);
        assertNotEquals("frontdoor", cold.decision().role(), cold.decision().reason());
        ComplexityRouter.Candidate fd = cold.explanation().candidate("frontdoor").orElseThrow();
        assertEquals(100, fd.expectedWaitSeconds(), 1e-12);
        assertEquals(1 + ROUTER.waitCostPerSecond() * 100, fd.effectiveCost(), 1e-9);
        assertTrue(cold.decision().alternatives().contains("frontdoor"));
        // nonsense from the wait function is ignored rather than trusted
        assertEquals("frontdoor", r.route(RoutingFixtures.chat(hello), role -> Double.NaN).decision().role());
    }

    @Test
    void injectedFailuresMoveOneCategoryOnlyAndTheMoveSurvivesARestart(@TempDir Path dir) throws Exception {
        SkillTracker tracker = tracker();
        ComplexityRouter r = router(tracker);
        Map<String, String> before = choices(r);
        String mathPrompt = "Solve for x: 4x - 7 = 2x + 9, and check the solution.";
        assertEquals("math", before.get(mathPrompt));

        for (int i = 0; i < 25; i++) {
            ComplexityRouter.Routed routed = r.route(RoutingFixtures.chat("Compute the derivative of x^" + (i + 2)
                    + " * ln(x) and simplify."), null);
            assertEquals("math", routed.category());
            r.recordOutcome(routed, "math", false);
        }

        ComplexityRouter.Routed after = r.route(RoutingFixtures.chat(mathPrompt), null);
        ComplexityRouter.Candidate math = after.explanation().candidate("math").orElseThrow();
        assertTrue(math.predictedSuccess() < ROUTER.target(), "math role now predicted at " + math.predictedSuccess());
        assertNotEquals("math", after.decision().role(), after.decision().reason());
        Map<String, String> moved = choices(r);
        PROMPTS.forEach((prompt, role) -> {
            RequestFeatures f = FeatureExtractor.fromRegistry(RoutingFixtures.REGISTRY)
                    .extract(RoutingFixtures.chat(prompt));
            String category = Classifier.fromRegistry(RoutingFixtures.REGISTRY).classify(f).category();
            if (category.equals("math")) {
                assertNotEquals("math", moved.get(prompt), prompt);
            } else {
                assertEquals(before.get(prompt), moved.get(prompt), "unchanged for " + category + ": " + prompt);
            }
        });

        Path file = dir.resolve("skills.json");
        tracker.save(file);
        SkillTracker restored = tracker();
        assertEquals(SkillTracker.LoadStatus.LOADED, restored.load(file).status());
        assertEquals(moved, choices(router(restored)), "a restarted router routes the same way");
        assertEquals(before, choices(router(tracker())), "a fresh tracker still has the priors");
    }

    @Test
    void successesRestoreTheRole() {
        SkillTracker tracker = tracker();
        ComplexityRouter r = router(tracker);
        String prompt = "Solve for x: 4x - 7 = 2x + 9, and check the solution.";
        for (int i = 0; i < 20; i++) {
            tracker.record("math", "math", false, 1);
        }
        assertNotEquals("math", r.route(RoutingFixtures.chat(prompt), null).decision().role());
        for (int i = 0; i < 200; i++) {
            tracker.record("math", "math", true, 1);
        }
        assertEquals("math", r.route(RoutingFixtures.chat(prompt), null).decision().role());
    }

    @Test
    void withAnIndexOutcomesAreRememberedBySimilarity() {
        SkillTracker tracker = tracker();
        ComplexityRouter r = ComplexityRouter.create(RoutingFixtures.REGISTRY, new HashingEmbedder(), tracker,
                ROUTER);
        ExemplarIndex index = r.index().orElseThrow();
        String prompt = "Solve for x: 4x - 7 = 2x + 9, and check the solution.";
        ComplexityRouter.Routed first = r.route(RoutingFixtures.chat(prompt), null);
        assertNotNull(first.queryVector());
        assertEquals(8, first.explanation().neighbourhood().neighbours().size());
        for (int i = 0; i < 6; i++) {
            r.recordOutcome(first, "math", false);
        }
        assertEquals(6, index.outcomeCount());
        ComplexityRouter.Routed again = r.route(RoutingFixtures.chat(prompt), null);
        SuccessPredictor.Prediction p = again.explanation().candidate("math").orElseThrow().prediction();
        assertEquals(0.0, p.knnRate(), 1e-9);
        assertTrue(p.knnWeight() > 0);
        assertEquals(6, p.skillFailures(), 1.0);
        assertTrue(p.success() < p.prior());
    }

    @Test
    void assessRouteAndRecordLikeThePipeline() {
        SkillTracker tracker = tracker();
        ComplexityRouter r = ComplexityRouter.create(RoutingFixtures.REGISTRY, new HashingEmbedder(), tracker,
                ROUTER);
        var body = RoutingFixtures.chat("Implement quicksort in Rust and explain its worst case");
        ComplexityRouter.Assessment a = r.assess(body);
        assertEquals("code", a.category());
        assertNotNull(a.queryVector());
        ComplexityRouter.Routed viaAssessment = r.route(a, null);
        ComplexityRouter.Routed direct = r.route(body, null);
        assertEquals(direct.decision(), viaAssessment.decision());
        assertEquals(direct.explanation().candidates(), viaAssessment.explanation().candidates());
        // an explicitly named role's attempt is learned from too
        r.recordOutcome(a, "coder", true, 1.0);
        assertEquals(1, tracker.evidence("code", "coder").updates());
        assertEquals(1, r.index().orElseThrow().outcomeCount());
        r.recordOutcome(a, "coder", false, 0.0);
        assertEquals(1, r.index().orElseThrow().outcomeCount(), "weight 0 is not remembered by the index");
        // completions bodies are assessed from their prompt
        var completion = RoutingFixtures.JSON.createObjectNode().put("model", "auto").put("prompt", "hi there!");
        assertEquals("chat", r.assess(completion).category());
    }

    @Test
    void explorationIsRareAndSaysSo() {
        SkillTracker tracker = ComplexityRouter.trackerFor(RoutingFixtures.REGISTRY,
                TRACKER.withExplorationRate(0.03));
        ComplexityRouter r = ComplexityRouter.create(RoutingFixtures.REGISTRY, null, tracker,
                ComplexityRouter.Config.DEFAULTS);
        int explored = 0;
        int n = 3000;
        for (int i = 0; i < n; i++) {
            ComplexityRouter.Routed routed = r.route(RoutingFixtures.chat("Why is the sky blue? Explain briefly."),
                    null);
            if (routed.explanation().explored()) {
                explored++;
                assertTrue(routed.decision().reason().contains("exploring"), routed.decision().reason());
            }
        }
        assertTrue(explored <= 0.03 * n, "explored " + explored);
        assertTrue(explored > 0, "explored at least once");
        // explain() neither explores nor counts
        long decisions = tracker.explorationStats().decisions();
        r.explain(RoutingFixtures.chat("Why is the sky blue?"), null);
        assertEquals(decisions, tracker.explorationStats().decisions());
    }

    @Test
    void coldRolesAreNotExploredByDefault() {
        SkillTracker tracker = ComplexityRouter.trackerFor(RoutingFixtures.REGISTRY,
                TRACKER.withExplorationRate(0.05));
        ComplexityRouter r = ComplexityRouter.create(RoutingFixtures.REGISTRY, null, tracker,
                ComplexityRouter.Config.DEFAULTS);
        for (int i = 0; i < 3000; i++) {
            ComplexityRouter.Routed routed = r.route(RoutingFixtures.chat("hello there"),
                    role -> role.equals("frontdoor") || role.equals("worker") ? 0 : 60);
            assertTrue(List.of("frontdoor", "worker").contains(routed.decision().role()));
        }
    }
}
