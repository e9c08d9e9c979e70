package dev.echelon.pipeline;

import dev.echelon.registry.ResidencyState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.echelon.pipeline.ScriptedBackends.chatBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request path reading the residency controller's placement: a substituted role's traffic goes to its fallback,
 * a cold or moving role is waited for up to the bound and then left for a ready fallback — or refused with 503 and
 * Retry-After, never a hang — and every routed role and weak answer is signalled back.
 */
class ResidencyPipelineTest {

    static final String QUESTION = "What is the capital of France?";

    private static void assertServedBy(CapturingSink sink, String role) {
        assertNull(sink.failure, () -> "unexpected failure: " + sink.failure.status() + " " + sink.failure.getMessage());
        assertEquals(1, sink.jsons, "exactly one answer");
        assertEquals(role, sink.meta().path("role").asText(), () -> "x_echelon: " + sink.meta());
    }

    /** Waits up to 5 s for {@code n} requests to queue for {@code role}; the caller asserts how many did. */
    private static void awaitQueued(ScriptedBackends h, String role, int n) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (h.admission.queued(role) < n && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }

    @Test
    void aSubstitutedRolesRequestIsServedByItsFallbackAndSaysSo() {
        ScriptedResidency residency = new ScriptedResidency(2_000).hold("architect", ResidencyState.S6, "coder");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = h.json("architect", chatBody("architect", QUESTION, 50));

            assertServedBy(sink, "coder");
            assertEquals(0, h.requests("architect"));
            assertTrue(sink.meta().path("route_reason").asText()
                    .startsWith("residency: architect is substituted (S6), served by its fallback coder"),
                    sink.meta()::toString);
            assertEquals(List.of("architect→coder (residency): architect is substituted (S6) by its fallback"),
                    sink.escalations());
            assertTrue(residency.signals.contains("requested architect"), residency.signals::toString);
        }
    }

    @Test
    void aRequestTheControllerOverflowsIsServedByTheFallbackAndSaysSoButAnEscalationNeverOverflows() {
        ScriptedResidency residency = new ScriptedResidency(2_000).overflow("architect", "coder");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = h.json("architect", chatBody("architect", QUESTION, 50));

            assertServedBy(sink, "coder");
            assertEquals(0, h.requests("architect"));
            assertTrue(sink.meta().path("route_reason").asText().startsWith("overflow: architect would keep this "
                    + "request waiting about 0 s for a slot"), sink.meta()::toString);
            assertEquals(List.of("architect→coder (overflow): architect is busy (about 0 s to a free slot); coder is "
                    + "hot and free"), sink.escalations());
            // the controller was asked with admission's estimate: an idle role has a slot free at once
            assertTrue(residency.signals.contains("overflow asked for architect (wait 0.0 s)"),
                    residency.signals::toString);
            // and told the answer's first token, by the role that served it: the tail the next overflow is judged by
            // (the request is recorded just after its answer is sent)
            h.awaitIdle();
            assertTrue(residency.signals.contains("first token coder"), residency.signals::toString);
        }
        // a failed first answer escalates: the escalation's attempt is not offered to the overflow rule
        ScriptedResidency escalating = new ScriptedResidency(2_000).overflow("worker", "math");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(escalating)
                .always("frontdoor", Answers.low("frontdoor")).always("worker", Answers.good("worker")).build()) {
            CapturingSink sink = h.json("frontdoor", chatBody("frontdoor", QUESTION, 50));
            assertServedBy(sink, "worker");
            assertFalse(escalating.signals.contains("overflow asked for worker (wait 0.0 s)"),
                    escalating.signals::toString);
            assertTrue(escalating.signals.contains("overflow asked for frontdoor (wait 0.0 s)"),
                    escalating.signals::toString);
        }
    }

    @Test
    void aColdRoleIsWaitedForAndServesOnceItLands() throws Exception {
        ScriptedResidency residency = new ScriptedResidency(10_000).hold("worker", ResidencyState.S4, "math");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = new CapturingSink();
            h.pipeline.execute(h.call("worker", chatBody("worker", QUESTION, 50), false, false), sink);
            Thread.sleep(200);
            assertEquals(0, sink.jsons + sink.fails, "still waiting: " + sink.calls);
            assertEquals(1, h.admission.queued("worker"), "it waits in the role's queue, which the controller sees");
            assertTrue(residency.signals.contains("requested worker"), "the demand signal reached the controller");

            residency.release("worker"); // the controller promoted it
            sink.await(Duration.ofSeconds(5));

            assertServedBy(sink, "worker");
            assertTrue(sink.meta().path("load_wait_ms").asLong() >= 150, sink.meta()::toString);
            assertEquals(0, h.requests("math"));
        }
    }

    /**
     * Shutdown with requests waiting for a cold role, streamed and not: each gets the shutting-down error, none is
     * dropped silently or answered twice. (The race this guards — a cancel that wakes the request's own thread, which
     * finishes it as a client that went away and writes nothing — is narrow; GracefulShutdownIT showed it, about one
     * run in five on a cold JVM, until the drain claimed each answer before cancelling it.)
     */
    @Test
    void drainEndsEveryWaitingRequestWithTheShutdownError() throws Exception {
        ScriptedResidency residency = new ScriptedResidency(10_000).hold("worker", ResidencyState.S4, "math");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            List<CapturingSink> sinks = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                CapturingSink sink = new CapturingSink();
                sinks.add(sink);
                h.pipeline.execute(h.call("worker", chatBody("worker", QUESTION, 50), i % 2 == 0, false), sink);
            }
            awaitQueued(h, "worker", sinks.size());
            assertEquals(sinks.size(), h.admission.queued("worker"), "every request waits for the cold worker");

            h.pipeline.drain(Duration.ofMillis(50));

            for (CapturingSink sink : sinks) {
                sink.await(Duration.ofSeconds(5));
                assertEquals(1, sink.fails, () -> "one final error: " + sink.calls);
                assertEquals("shutting_down", sink.failure.code(), () -> "the shutdown error: " + sink.calls);
                assertEquals(0, sink.jsons + sink.ends, () -> "no answer besides: " + sink.calls);
            }
            assertEquals(0, h.pipeline.inFlight());
        }
    }

    /**
     * A request waiting for its role (here: held by a decision) when the controller substitutes the role moves to the
     * fallback at once, as the simulator moves a substituted role's queue — not after the wait's bound.
     */
    @Test
    void aRequestWaitingForARoleThatIsSubstitutedMovesToTheFallbackAtOnce() throws Exception {
        ScriptedResidency residency = new ScriptedResidency(10_000).hold("worker", ResidencyState.S3, "math");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = new CapturingSink();
            h.pipeline.execute(h.call("worker", chatBody("worker", QUESTION, 50), false, false), sink);
            awaitQueued(h, "worker", 1);
            assertEquals(1, h.admission.queued("worker"), "held by a decision, it waits in the worker's queue");

            long substituted = System.nanoTime();
            residency.hold("worker", ResidencyState.S6, "math");
            sink.await(Duration.ofSeconds(5));

            assertServedBy(sink, "math");
            assertTrue(System.nanoTime() - substituted < 5_000_000_000L, "long before the 10 s bound");
            assertEquals(0, h.requests("worker"));
            assertTrue(sink.meta().path("route_reason").asText().startsWith(
                    "residency: worker was substituted (S6) while the request waited; served by its fallback math"),
                    sink.meta()::toString);
            assertEquals(List.of("worker→math (residency): worker substituted (S6) while waiting"),
                    sink.escalations());
        }
    }

    @Test
    void aRoleThatStaysColdPastTheBoundIsLeftForItsReadyFallback() {
        ScriptedResidency residency = new ScriptedResidency(300).hold("worker", ResidencyState.S5, "math");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = h.json("worker", chatBody("worker", QUESTION, 50));

            assertServedBy(sink, "math");
            assertEquals(0, h.requests("worker"));
            assertTrue(sink.meta().path("route_reason").asText().startsWith(
                    "residency: worker was moving (S5) and not ready within 300 ms; served by its fallback math"),
                    sink.meta()::toString);
            assertEquals(List.of("worker→math (residency): worker moving (S5), not ready within 300 ms"),
                    sink.escalations());
        }
    }

    @Test
    void withoutAReadyFallbackTheWaitEndsIn503WithRetryAfter() {
        ScriptedResidency residency = new ScriptedResidency(300).hold("worker", ResidencyState.S4, "math")
                .hold("math", ResidencyState.S4, "worker");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = h.json("worker", chatBody("worker", QUESTION, 50)); // fails the test after 10 s

            assertNotNull(sink.failure);
            assertEquals(503, sink.failure.status());
            assertTrue(sink.failure.retryAfterSeconds().isPresent());
            assertTrue(sink.failure.getMessage().contains("held by the residency controller"),
                    sink.failure.getMessage());
            assertEquals(0, h.requests("worker") + h.requests("math"));
        }
    }

    @Test
    void aFailedServerIsRefusedAtOnceNotWaitedForLikeAHeldRole() {
        ScriptedResidency residency = new ScriptedResidency(60_000);
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).down("worker").build()) {
            assertEquals(dev.echelon.backend.InstanceStatus.DOWN, h.pool.status("worker"));
            CapturingSink sink = h.json("worker", chatBody("worker", QUESTION, 50));

            // admission's immediate 503 makes it an infrastructure failure with a lateral fallback, as before
            assertServedBy(sink, "math");
            assertEquals(1, sink.escalations().size(), sink.escalations()::toString);
            assertTrue(sink.escalations().get(0).startsWith("worker→math (fallback): infrastructure"),
                    sink.escalations()::toString);
        }
    }

    @Test
    void aWeakPassSignalsTheNextRoleOfItsChain() {
        ScriptedResidency residency = new ScriptedResidency(1_000);
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency)
                .always("frontdoor", Answers.gen("frontdoor", Answers.GOOD_TEXT, -1.0))
                .always("worker", Answers.good("worker")).build()) {
            CapturingSink weak = h.json("frontdoor", chatBody("frontdoor", QUESTION, 50));
            assertServedBy(weak, "frontdoor");
            assertEquals("pass", weak.meta().path("gate").asText());
            assertTrue(residency.signals.contains("weak frontdoor→worker"), residency.signals::toString);

            residency.signals.clear();
            CapturingSink sure = h.json("worker", chatBody("worker", QUESTION, 50));
            assertServedBy(sure, "worker");
            assertFalse(residency.signals.stream().anyMatch(s -> s.startsWith("weak")), residency.signals::toString);
        }
    }

    @Test
    void heldStatusWaitsWhereAStoppedServerWouldBeRefused() throws Exception {
        ScriptedResidency residency = new ScriptedResidency(10_000).hold("coder", ResidencyState.S4, null);
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            assertEquals(dev.echelon.backend.InstanceStatus.COLD, h.pool.status("coder"));
            Admission.Ticket t = h.admission.admit("coder");
            assertFalse(t.lease().isDone());
            assertTrue(t.waitingForLoad());
            CompletableFuture<Lease> lease = t.lease();
            residency.release("coder");
            lease.get(5, java.util.concurrent.TimeUnit.SECONDS).release();
        }
    }
    /**
     * A question of some 12,000 tokens by the generous estimate (36,000 characters) and a 50-token answer: the
     * architect's 16,384 tokens a request hold it, its fallback the coder's 8,192 do not. The live replay of round 44
     * sent such a request to the coder, which refused it ("exceeds the available context size").
     */
    private static final String LONG_QUESTION = "Review this design document for the migration. ".repeat(750);

    @Test
    void aRequestItsSubstitutesFallbackCannotHoldWaitsForItsOwnRoleAndIsNeverHandedOver() throws Exception {
        ScriptedResidency residency = new ScriptedResidency(10_000).hold("architect", ResidencyState.S6, "coder");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = new CapturingSink();
            h.pipeline.execute(h.call("architect", chatBody("architect", LONG_QUESTION, 50), false, false), sink);
            awaitQueued(h, "architect", 1);
            assertEquals(1, h.admission.bound("architect"), "it waits for the architect, bound to it");
            assertTrue(residency.signals.contains("waits bound architect"), "the controller is told at once: "
                    + residency.signals);
            assertEquals(0, h.admission.handOver("architect", "substituted again"), "and is not handed over");
            residency.hold("architect", ResidencyState.S6, "coder"); // the hand-over the controller's landing starts
            Thread.sleep(100);
            assertEquals(0, sink.jsons + sink.fails, "still waiting: " + sink.calls);

            residency.release("architect"); // the controller loaded it for the request
            sink.await(Duration.ofSeconds(5));

            assertServedBy(sink, "architect");
            assertEquals(0, h.requests("coder"));
            assertEquals(1, sink.escalations().size(), sink.escalations()::toString);
            assertTrue(sink.escalations().get(0).startsWith("architect (residency): substituted (S6), but its "
                    + "fallback coder cannot hold this request (up to "), sink.escalations()::toString);
            assertTrue(sink.escalations().get(0).endsWith("8192 a request there); it waits for architect"),
                    sink.escalations()::toString);
        }
    }

    @Test
    void aShortRequestOfTheSameRoleIsStillServedByTheFallbackAndNotBound() {
        ScriptedResidency residency = new ScriptedResidency(10_000).hold("architect", ResidencyState.S6, "coder");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = h.json("architect", chatBody("architect", LONG_QUESTION.substring(0, 12_000), 50));
            assertServedBy(sink, "coder"); // 4,000 tokens by the generous estimate: the coder holds it
            assertEquals(0, h.requests("architect"));
        }
    }

    @Test
    void aWaitThatRunsOutEndsIn503RatherThanOnAFallbackThatCannotHoldTheRequest() {
        ScriptedResidency residency = new ScriptedResidency(300).hold("architect", ResidencyState.S4, "coder");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            long start = System.nanoTime();
            CapturingSink sink = h.json("architect", chatBody("architect", LONG_QUESTION, 50));

            // nothing else can serve it: it waited for the architect's load (5 s here), not the 300 ms residency wait
            assertTrue(System.nanoTime() - start >= 4_500_000_000L, "it waited for the role's load timeout");
            assertNotNull(sink.failure, () -> "served by " + sink.meta());
            assertEquals(503, sink.failure.status());
            assertTrue(sink.failure.retryAfterSeconds().isPresent());
            assertEquals(0, h.requests("coder") + h.requests("architect"));
        }
    }

    @Test
    void aRequestIsNotOverflowedToAFallbackThatCannotHoldIt() {
        ScriptedResidency residency = new ScriptedResidency(2_000).overflow("architect", "coder");
        try (ScriptedBackends h = ScriptedBackends.builder().residency(residency).build()) {
            CapturingSink sink = h.json("architect", chatBody("architect", LONG_QUESTION, 50));

            assertServedBy(sink, "architect");
            assertEquals(0, h.requests("coder"));
            assertTrue(sink.escalations().isEmpty(), sink.escalations()::toString);
        }
    }
}
