package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.escalation.Budget;
import dev.echelon.escalation.CircuitBreakers;
import dev.echelon.escalation.ErrorCategory;
import dev.echelon.escalation.EscalationEvent;
import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.routing.RoutingDecision;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.echelon.pipeline.Answers.HIGH;
import static dev.echelon.pipeline.Answers.systemMessages;
import static dev.echelon.pipeline.ScriptedBackends.Script;
import static dev.echelon.pipeline.ScriptedBackends.chatBody;
import static dev.echelon.pipeline.ScriptedBackends.jsonBody;
import static dev.echelon.pipeline.ScriptedBackends.roles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The escalation loop end to end over scripted llama-servers, non-streamed: each trigger produces the right action
 * sequence (retry, think harder, escalate, fallback, give up) and ends with a served answer or a clear error.
 */
class EscalationPipelineTest {

    static final String THINK = EscalationPolicy.Settings.DEFAULT.thinkHarderInstruction();
    static final String QUESTION = "What is the capital of France?";

    private static void assertNoRequests(ScriptedBackends h, String... roles) {
        for (String r : roles) {
            assertEquals(0, h.requests(r), r + " must not have been asked");
        }
    }

    private static void assertStartsWith(String prefix, String actual) {
        assertTrue(actual != null && actual.startsWith(prefix), "expected to start with <" + prefix + "> but was <"
                + actual + ">");
    }

    private static void assertContains(String part, String actual) {
        assertTrue(actual != null && actual.contains(part), "expected to contain <" + part + "> but was <" + actual
                + ">");
    }

    private static void assertServedBy(CapturingSink sink, String role) {
        assertNull(sink.failure, () -> "unexpected failure: " + sink.failure.status() + " " + sink.failure.getMessage());
        assertEquals(1, sink.jsons, "exactly one answer");
        assertEquals(role, sink.meta().path("role").asText(), () -> "x_echelon: " + sink.meta());
        assertEquals(role + "-0", sink.meta().path("instance").asText());
        assertEquals("pass", sink.meta().path("gate").asText());
    }

    // ------------------------------------------------------------------ 1. low confidence

    @Test
    void lowConfidenceThinksHarderOnTheSameRoleThenEscalatesToTheNextRole() {
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", Answers.low("frontdoor")).build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertServedBy(sink, "worker");
            assertEquals(Answers.GOOD_TEXT, sink.jsonContent());
            assertEquals("auto", sink.json.path("model").asText(), "the client's model is echoed");
            assertFalse(sink.json.path("choices").path(0).has("logprobs"),
                    "log-probabilities the gate asked for are not shown to a client that did not ask");
            assertEquals("escalated from frontdoor (low_quality)", sink.meta().path("route_reason").asText());

            List<String> steps = sink.escalations();
            assertEquals(2, steps.size(), steps::toString);
            assertStartsWith("frontdoor asked to think harder: low_quality (LOW_CONFIDENCE: mean logprob -3.00",
                    steps.get(0));
            assertStartsWith("frontdoor→worker: low_quality (LOW_CONFIDENCE", steps.get(1));

            // what the backends received
            assertEquals(2, h.requests("frontdoor"));
            assertEquals(1, h.requests("worker"));
            assertNoRequests(h, "math", "coder", "architect");
            JsonNode first = h.backend("frontdoor").request(0);
            assertEquals("frontdoor", first.path("model").asText());
            assertEquals(200, first.path("max_tokens").asInt());
            assertTrue(first.path("logprobs").asBoolean(), "the gate needs log-probabilities");
            assertEquals(3, first.path("top_logprobs").asInt());
            assertFalse(first.path("stream").asBoolean(false));
            assertEquals(List.of(), systemMessages(first));
            JsonNode harder = h.backend("frontdoor").request(1);
            assertEquals(List.of(THINK), systemMessages(harder), "think-harder adds its instruction");
            assertEquals(400, harder.path("max_tokens").asInt(), "think-harder doubles max_tokens");
            assertEquals(QUESTION, harder.path("messages").path(1).path("content").asText());
            assertEquals("worker", h.backend("worker").request(0).path("model").asText());

            // the escalation log
            List<EscalationEvent> events = h.events();
            assertEquals(2, events.size(), events::toString);
            EscalationEvent e1 = events.get(0);
            assertEquals("think_harder", e1.action());
            assertEquals("frontdoor", e1.fromRole());
            assertEquals("frontdoor", e1.toRole());
            assertEquals(ErrorCategory.LOW_QUALITY, e1.category());
            assertEquals(1, e1.attempt());
            assertEquals(sink.meta().path("request_id").asText(), e1.requestId());
            assertContains("LOW_CONFIDENCE", e1.reason());
            EscalationEvent e2 = events.get(1);
            assertEquals("escalate", e2.action());
            assertEquals("frontdoor", e2.fromRole());
            assertEquals("worker", e2.toRole());
            assertEquals(2, e2.attempt());
            assertEquals(60, e2.tokensSoFar(), "two attempts of 30 completion tokens");

            // the client was told of each attempt's role, in order
            assertEquals(List.of("frontdoor", "frontdoor", "worker"), roles(sink.routed));
            assertEquals(1.0, h.metrics.counter("echelon.escalations", "category", "low_quality", "action",
                    "think_harder").count());
            assertEquals(1.0, h.metrics.counter("echelon.escalations", "category", "low_quality", "action",
                    "escalate").count());
            assertEquals(CircuitBreakers.State.CLOSED, h.breakers.state("frontdoor-0"),
                    "a weak answer is not a backend fault");
        }
    }

    // ------------------------------------------------------------------ 2. repetition

    @Test
    void repetitionLoopIsLowQualityThinksHarderThenEscalates() {
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", Answers.loop("frontdoor", 10))
                .build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertServedBy(sink, "worker");
            assertEquals(List.of("think_harder", "escalate"), h.actions());
            h.events().forEach(e -> {
                assertEquals(ErrorCategory.LOW_QUALITY, e.category());
                assertContains("REPETITION: a block of 6 words repeats back to back", e.reason());
            });
            List<String> steps = sink.escalations();
            assertEquals(2, steps.size());
            assertStartsWith("frontdoor asked to think harder: low_quality (REPETITION", steps.get(0));
            assertStartsWith("frontdoor→worker: low_quality (REPETITION", steps.get(1));
            assertEquals(2, h.requests("frontdoor"));
            assertEquals(1, h.requests("worker"));
        }
    }

    // ------------------------------------------------------------------ 3. invalid JSON

    @Test
    void invalidJsonIsRetriedWithTheStrictJsonInstructionWhichFixesIt() {
        Script strictFixes = Script.of(req -> Answers.render(Answers.gen("frontdoor",
                systemMessages(req).contains(Instructions.STRICT_JSON) ? Answers.VALID_JSON : Answers.INVALID_JSON,
                HIGH), req, 0));
        try (ScriptedBackends h = ScriptedBackends.builder().script("frontdoor", strictFixes).build()) {
            CapturingSink sink = h.json("auto", jsonBody("auto", "The capital of France as JSON", 200));

            assertServedBy(sink, "frontdoor");
            assertEquals(Answers.VALID_JSON, sink.jsonContent());
            assertEquals(List.of("retry"), h.actions());
            assertEquals(ErrorCategory.FORMAT, h.events().get(0).category());
            assertContains("INVALID_JSON", h.events().get(0).reason());
            assertEquals(1, sink.escalations().size());
            assertStartsWith("frontdoor retried: format (INVALID_JSON", sink.escalations().get(0));

            assertEquals(2, h.requests("frontdoor"));
            assertNoRequests(h, "worker", "architect");
            JsonNode retry = h.backend("frontdoor").request(1);
            assertEquals(List.of(Instructions.STRICT_JSON), systemMessages(retry));
            assertEquals(200, retry.path("max_tokens").asInt(), "a format retry does not grow max_tokens");
            assertEquals("json_object", retry.path("response_format").path("type").asText());
        }
    }

    @Test
    void invalidJsonRetriedOnceThenEscalatedWhenStillInvalid() {
        try (ScriptedBackends h = ScriptedBackends.builder()
                .always("frontdoor", Answers.gen("frontdoor", Answers.INVALID_JSON, HIGH))
                .always("worker", Answers.gen("worker", Answers.VALID_JSON, HIGH))
                .budget(Budget.DEFAULT.withMaxRetries(1)).build()) {
            CapturingSink sink = h.json("auto", jsonBody("auto", "The capital of France as JSON", 200));

            assertServedBy(sink, "worker");
            JsonNode answer = assertDoesNotThrowParse(sink.jsonContent());
            assertEquals("Paris", answer.path("capital").asText());
            assertEquals(List.of("retry", "escalate"), h.actions());
            h.events().forEach(e -> assertEquals(ErrorCategory.FORMAT, e.category()));
            assertEquals(2, h.requests("frontdoor"));
            assertEquals(List.of(Instructions.STRICT_JSON), systemMessages(h.backend("frontdoor").request(1)));
            assertEquals(1, h.requests("worker"));
            List<String> steps = sink.escalations();
            assertStartsWith("frontdoor retried: format", steps.get(0));
            assertStartsWith("frontdoor→worker: format", steps.get(1));
        }
    }

    @Test
    void withTheDefaultBudgetInvalidJsonGetsTwoStrictRetriesBeforeEscalating() {
        try (ScriptedBackends h = ScriptedBackends.builder()
                .always("frontdoor", Answers.gen("frontdoor", Answers.INVALID_JSON, HIGH))
                .always("worker", Answers.gen("worker", Answers.VALID_JSON, HIGH)).build()) {
            CapturingSink sink = h.json("auto", jsonBody("auto", "The capital of France as JSON", 200));

            assertServedBy(sink, "worker");
            assertEquals(List.of("retry", "retry", "escalate"), h.actions());
            assertEquals(3, h.requests("frontdoor"));
            for (int i = 1; i < 3; i++) {
                assertTrue(systemMessages(h.backend("frontdoor").request(i)).contains(Instructions.STRICT_JSON));
            }
        }
    }

    private static JsonNode assertDoesNotThrowParse(String text) {
        try {
            JsonNode n = Answers.JSON.readTree(text);
            assertTrue(n.isObject(), text);
            return n;
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    // ------------------------------------------------------------------ 4. early abort

    @Test
    void earlyAbortIsRetriedOnceThenEscalated() {
        Answers.Gen cut = Answers.gen("frontdoor", "The capital of", HIGH).finish("length");
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", cut).build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertServedBy(sink, "worker");
            assertEquals(List.of("retry", "escalate"), h.actions());
            h.events().forEach(e -> {
                assertEquals(ErrorCategory.EARLY_ABORT, e.category());
                assertContains("TRUNCATED: finish_reason length after 3 of 200 requested tokens", e.reason());
            });
            assertEquals(2, h.requests("frontdoor"));
            JsonNode retry = h.backend("frontdoor").request(1);
            assertEquals(List.of(), systemMessages(retry), "a plain retry adds no instruction");
            assertEquals(200, retry.path("max_tokens").asInt());
            assertStartsWith("frontdoor retried: early_abort", sink.escalations().get(0));
            assertStartsWith("frontdoor→worker: early_abort", sink.escalations().get(1));
        }
    }

    // ------------------------------------------------------------------ 5. timeout

    @Test
    void timeoutEscalatesAndIsServedWellInsideTheDeadline() {
        try (ScriptedBackends h = ScriptedBackends.builder()
                .script("frontdoor", Script.of(req -> new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE)))
                .timeouts("frontdoor", ScriptedBackends.SHORT)
                .breakers(new CircuitBreakers.Settings(1, Duration.ofSeconds(30), Duration.ofMinutes(5)))
                .budget(Budget.DEFAULT.withDeadline(Duration.ofSeconds(5))).build()) {
            long start = System.nanoTime();
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertServedBy(sink, "worker");
            assertTrue(ms >= 250 && ms < 2_500, "served after the 300 ms read timeout, well inside the deadline: "
                    + ms + " ms");
            assertEquals(List.of("escalate"), h.actions());
            EscalationEvent e = h.events().get(0);
            assertEquals(ErrorCategory.TIMEOUT, e.category());
            assertContains("timed out (first byte after 300 ms)", e.reason());
            assertStartsWith("frontdoor→worker: timeout", sink.escalations().get(0));
            assertEquals(1, h.requests("frontdoor"));
            assertEquals(CircuitBreakers.State.OPEN, h.breakers.state("frontdoor-0"),
                    "a timeout counts against the instance's breaker");
            assertEquals(CircuitBreakers.State.CLOSED, h.breakers.state("worker-0"));
        }
    }

    // ------------------------------------------------------------------ 6. dead instance

    @Test
    void deadInstanceOfAnExplicitRoleFallsBackAndItsBreakerCountsFailures() {
        try (ScriptedBackends h = ScriptedBackends.builder().dead("coder")
                .breakers(new CircuitBreakers.Settings(2, Duration.ofSeconds(30), Duration.ofMinutes(5))).build()) {
            CapturingSink first = h.json("coder", chatBody("coder", "Write a Python function that adds two numbers",
                    200));

            assertServedBy(first, "architect");
            assertEquals("coder", first.json.path("model").asText());
            assertEquals("fallback from coder (infrastructure)", first.meta().path("route_reason").asText());
            assertEquals(List.of("fallback"), h.actions());
            EscalationEvent e = h.events().get(0);
            assertEquals(ErrorCategory.INFRASTRUCTURE, e.category());
            assertEquals("coder", e.fromRole());
            assertEquals("architect", e.toRole());
            assertContains("backend is unavailable", e.reason());
            assertStartsWith("coder→architect (fallback): infrastructure", first.escalations().get(0));
            assertEquals(List.of("coder", "architect"), roles(first.routed));
            assertEquals(CircuitBreakers.State.CLOSED, h.breakers.state("coder-0"), "one failure of two");

            CapturingSink second = h.json("coder", chatBody("coder", "And one that subtracts them", 200));
            assertServedBy(second, "architect");
            assertEquals(CircuitBreakers.State.OPEN, h.breakers.state("coder-0"),
                    "the second consecutive failure opens the breaker");
            assertEquals(CircuitBreakers.State.CLOSED, h.breakers.state("architect-0"));
            assertEquals(2, h.requests("architect"));
            assertNoRequests(h, "frontdoor", "worker", "math");
        }
    }

    @Test
    void anEscalationTargetThatAdmissionRefusesFallsBackToItsFallback() {
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", Answers.low("frontdoor"))
                .down("worker").build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertServedBy(sink, "math");
            assertEquals(List.of("think_harder", "escalate", "fallback"), h.actions());
            EscalationEvent refused = h.events().get(2);
            assertEquals(ErrorCategory.INFRASTRUCTURE, refused.category());
            assertEquals("worker", refused.fromRole());
            assertEquals("math", refused.toRole());
            assertContains("No instance of role 'worker' is running", refused.reason());
            assertStartsWith("worker→math (fallback): infrastructure", sink.escalations().get(2));
            assertNoRequests(h, "worker");
            assertEquals(1, h.requests("math"));
        }
    }

    // ------------------------------------------------------------------ 7. all roles bad → give up

    @Test
    void allRolesWeakServesTheLastCandidateMarkedAsFailed() {
        ScriptedBackends.Builder b = ScriptedBackends.builder();
        ScriptedBackends.ROLES.forEach(r -> b.always(r, Answers.low(r)));
        try (ScriptedBackends h = b.build()) {
            long start = System.nanoTime();
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertNull(sink.failure);
            assertEquals(1, sink.jsons);
            assertTrue(ms < 5_000, ms + " ms");
            ObjectNode meta = sink.meta();
            assertEquals("architect", meta.path("role").asText());
            assertStartsWith("fail: LOW_CONFIDENCE", meta.path("gate").asText());
            assertContains("; served anyway: nowhere to escalate: architect is tier B (terminal)",
                    meta.path("gate").asText());
            assertEquals(Answers.LOW_TEXT, sink.jsonContent());
            assertFalse(sink.json.path("choices").path(0).has("logprobs"));
            assertEquals(List.of("think_harder", "escalate", "escalate", "give_up"), h.actions());
            List<String> steps = sink.escalations();
            assertEquals(4, steps.size(), steps::toString);
            assertStartsWith("frontdoor asked to think harder", steps.get(0));
            assertStartsWith("frontdoor→worker: low_quality", steps.get(1));
            assertStartsWith("worker→architect: low_quality", steps.get(2));
            assertStartsWith("architect: gave up: nowhere to escalate", steps.get(3));
            assertEquals(2, h.requests("frontdoor"));
            assertEquals(1, h.requests("worker"));
            assertEquals(1, h.requests("architect"));
            assertNoRequests(h, "math", "coder");
            EscalationEvent giveUp = h.events().get(3);
            assertNull(giveUp.toRole());
            assertEquals(4, giveUp.attempt());
        }
    }

    @Test
    void allRolesDeadEndsWithAClear503WithinTheEscalationBudget() {
        ScriptedBackends.Builder b = ScriptedBackends.builder()
                .breakers(new CircuitBreakers.Settings(1, Duration.ofSeconds(30), Duration.ofMinutes(5)));
        ScriptedBackends.ROLES.forEach(b::dead);
        try (ScriptedBackends h = b.build()) {
            long start = System.nanoTime();
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertNotNull(sink.failure);
            assertEquals(0, sink.jsons);
            assertEquals(503, sink.failure.status());
            assertStartsWith("No role produced an acceptable answer: maxEscalations budget exhausted: 3 of 3",
                    sink.failure.getMessage());
            assertContains("last failure", sink.failure.getMessage());
            assertTrue(ms < 3_000, ms + " ms");
            // frontdoor → worker (fallback) → math (fallback) → architect (math chain) → would fall back to coder
            assertEquals(List.of("fallback", "fallback", "escalate", "give_up"), h.actions());
            assertEquals(List.of("frontdoor", "worker", "math", "architect"), roles(sink.routed));
            for (String r : List.of("frontdoor", "worker", "math", "architect")) {
                assertEquals(CircuitBreakers.State.OPEN, h.breakers.state(r + "-0"), r);
            }
            assertEquals(CircuitBreakers.State.CLOSED, h.breakers.state("coder-0"), "never tried");
        }
    }

    @Test
    void maxRetriesZeroSkipsThinkHarderAndStopsAtTheTerminalRole() {
        ScriptedBackends.Builder b = ScriptedBackends.builder().budget(Budget.DEFAULT.withMaxRetries(0));
        ScriptedBackends.ROLES.forEach(r -> b.always(r, Answers.low(r)));
        try (ScriptedBackends h = b.build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertEquals(List.of("escalate", "escalate", "give_up"), h.actions());
            assertEquals(1, h.requests("frontdoor"), "no think-harder without a retry left");
            assertEquals(1, h.requests("worker"));
            assertEquals(1, h.requests("architect"));
            assertContains("served anyway: maxRetries budget exhausted (0 of 0 retries on architect)",
                    sink.meta().path("gate").asText());
        }
    }

    @Test
    void maxEscalationsStopsTheClimb() {
        ScriptedBackends.Builder b = ScriptedBackends.builder().budget(Budget.DEFAULT.withMaxEscalations(1));
        ScriptedBackends.ROLES.forEach(r -> b.always(r, Answers.low(r)));
        try (ScriptedBackends h = b.build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertEquals(List.of("think_harder", "escalate", "give_up"), h.actions());
            assertEquals(2, h.requests("frontdoor"));
            assertEquals(1, h.requests("worker"));
            assertNoRequests(h, "architect", "math", "coder");
            assertEquals("worker", sink.meta().path("role").asText(), "the last candidate, marked");
            assertContains("served anyway: maxEscalations budget exhausted: 1 of 1 escalations used (would escalate "
                    + "to architect)", sink.meta().path("gate").asText());
        }
    }

    @Test
    void maxTotalTokensStopsTheLoopAndClampsTheThinkHarderBudget() {
        // LOW_TEXT is 30 completion tokens: 30 < 40 → think harder with max_tokens clamped to the 10 left
        ScriptedBackends.Builder b = ScriptedBackends.builder().budget(Budget.DEFAULT.withMaxTotalTokens(40));
        ScriptedBackends.ROLES.forEach(r -> b.always(r, Answers.low(r)));
        try (ScriptedBackends h = b.build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertEquals(List.of("think_harder", "give_up"), h.actions());
            assertEquals(2, h.requests("frontdoor"));
            assertEquals(10, h.backend("frontdoor").request(1).path("max_tokens").asInt(),
                    "think-harder's max_tokens is clamped to the tokens left in the budget");
            assertNoRequests(h, "worker", "architect");
            assertContains("served anyway: maxTotalTokens budget exhausted: 60 of 40 tokens used",
                    sink.meta().path("gate").asText());
        }
    }

    @Test
    void theDeadlineStopsTheLoop() {
        ScriptedBackends.Builder b = ScriptedBackends.builder()
                .budget(Budget.DEFAULT.withDeadline(Duration.ofMillis(500)))
                .script("frontdoor", (req, n) -> Answers.render(Answers.low("frontdoor"), req, n)
                        .setHeadersDelay(300, TimeUnit.MILLISECONDS));
        try (ScriptedBackends h = b.build()) {
            long start = System.nanoTime();
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            List<String> actions = h.actions();
            assertEquals("give_up", actions.get(actions.size() - 1));
            assertTrue(h.requests("frontdoor") >= 1 && h.requests("frontdoor") <= 2, "" + h.requests("frontdoor"));
            assertNoRequests(h, "worker", "architect");
            assertEquals("frontdoor", sink.meta().path("role").asText());
            assertContains("served anyway: deadline reached", sink.meta().path("gate").asText());
            assertContains("of 500 ms", sink.meta().path("gate").asText());
            assertTrue(ms < 2_000, ms + " ms");
        }
    }

    // ------------------------------------------------------------------ 10. client errors

    @Test
    void aBackendClientErrorIsNotEscalated() {
        try (ScriptedBackends h = ScriptedBackends.builder()
                .script("frontdoor", Script.of(req -> Answers.badRequest("the request exceeds the available context "
                        + "size, try increasing it")))
                .build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertNotNull(sink.failure);
            assertEquals(400, sink.failure.status());
            assertEquals("invalid_request_error", sink.failure.type());
            assertEquals("the request exceeds the available context size, try increasing it",
                    sink.failure.getMessage());
            assertEquals(0, sink.jsons);
            assertEquals(List.of(), h.events(), "nothing to escalate: another role would refuse it too");
            assertEquals(1, h.requests("frontdoor"));
            assertNoRequests(h, "worker", "math", "coder", "architect");
            assertEquals(CircuitBreakers.State.CLOSED, h.breakers.state("frontdoor-0"));
        }
    }

    // ------------------------------------------------------------------ chains and logprobs

    /** Categorises by keyword, so requests climb the math or code chain; auto goes to the front door. */
    static final class KeywordTasks implements TaskRouter {
        @Override
        public Classified classify(GenerationCall call, boolean forRouting) {
            String text = call.body().path("messages").toString().toLowerCase();
            return new Classified(text.contains("integral") ? "math" : text.contains("python") ? "code" : "general",
                    null);
        }

        @Override
        public RoutingDecision routeAuto(GenerationCall call, Classified classified) {
            return new RoutingDecision("frontdoor", ScriptedBackends.REGISTRY.requireRole("frontdoor").tier(),
                    "auto: test", 0.5, List.of());
        }

        @Override
        public void outcome(Classified classified, String role, boolean success, double weight) {
        }
    }

    @Test
    void theRequestsCategoryPicksTheChainItClimbs() {
        try (ScriptedBackends h = ScriptedBackends.builder().tasks(new KeywordTasks())
                .always("frontdoor", Answers.low("frontdoor")).build()) {
            assertServedBy(h.json("auto", chatBody("auto", "Compute the integral of x^2 from 0 to 3", 200)), "math");
            assertServedBy(h.json("auto", chatBody("auto", "Write a python function for it", 200)), "worker");
            assertNoRequests(h, "coder", "architect");
            assertEquals(1, h.requests("math"));
        }
    }

    @Test
    void logprobsAreKeptForAClientThatAskedForThem() {
        try (ScriptedBackends h = ScriptedBackends.builder().build()) {
            ObjectNode body = chatBody("auto", QUESTION, 200);
            body.put("logprobs", true);
            body.put("top_logprobs", 5);
            CapturingSink sink = h.json("auto", body);

            assertServedBy(sink, "frontdoor");
            assertEquals(5, h.backend("frontdoor").request(0).path("top_logprobs").asInt());
            assertTrue(sink.json.path("choices").path(0).path("logprobs").path("content").size() > 10);
            assertEquals(List.of(), sink.escalations());
            assertEquals(List.of(), h.events());
        }
    }
}
