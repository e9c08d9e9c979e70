package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.escalation.ErrorCategory;
import dev.echelon.escalation.EscalationEvent;
import dev.echelon.escalation.EscalationPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.echelon.pipeline.Answers.HIGH;
import static dev.echelon.pipeline.Answers.LOW;
import static dev.echelon.pipeline.Answers.systemMessages;
import static dev.echelon.pipeline.ScriptedBackends.Script;
import static dev.echelon.pipeline.ScriptedBackends.chatBody;
import static dev.echelon.pipeline.ScriptedBackends.roles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streamed answers: a failing tier caught inside the hold-back window is replaced invisibly (the client sees one
 * role's stream, and the escalation only in {@code x_echelon}); after commit, the generation monitor stops a runaway
 * honestly and nothing escalates.
 */
class StreamingEscalationTest {

    static final String THINK = EscalationPolicy.Settings.DEFAULT.thinkHarderInstruction();
    static final String QUESTION = "What is the capital of France?";
    /** Fourteen unsure tokens: fewer than the hold-back window, so only the final judgement sees the stream. */
    static final String SHORT_LOW_TEXT = "Maybe it is Lyon or perhaps Marseille, I really am not sure about it.";

    private static void assertStartsWith(String prefix, String actual) {
        assertTrue(actual != null && actual.startsWith(prefix), "expected to start with <" + prefix + "> but was <"
                + actual + ">");
    }

    private static void assertContains(String part, String actual) {
        assertTrue(actual != null && actual.contains(part), "expected to contain <" + part + "> but was <" + actual
                + ">");
    }

    private static void await(BooleanSupplier condition, long ms, String what) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + ms + " ms: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Every chunk came from one backend stream of {@code role}, and the stream ended once. */
    private static void assertOneRolesStream(CapturingSink sink, String role) {
        assertOneRolesStream(sink, role, sink.chunks.size());
    }

    /** As above, checking the backend's chunk id on the first {@code withIds} chunks only. */
    private static void assertOneRolesStream(CapturingSink sink, String role, int withIds) {
        assertNull(sink.failure, () -> "unexpected failure " + sink.failure.status() + " " + sink.failure.getMessage());
        assertEquals(1, sink.ends, "one end ([DONE])");
        assertEquals(0, sink.jsons);
        assertFalse(sink.chunks.isEmpty());
        for (int i = 0; i < sink.chunks.size(); i++) {
            ObjectNode c = sink.chunks.get(i);
            if (i < withIds) {
                assertStartsWith("chatcmpl-" + role + "-", c.path("id").asText());
            }
            assertEquals("auto", c.path("model").asText(), "the client's model is echoed in every chunk");
            for (JsonNode choice : c.path("choices")) {
                assertFalse(choice.has("logprobs"), "internal log-probabilities are not relayed: " + c);
            }
        }
        assertEquals("end", sink.calls.get(sink.calls.size() - 1));
    }

    // ------------------------------------------------------------------ 8. hold-back window

    @Test
    void aLowConfidenceStreamIsCaughtInTheHoldBackWindowAndReplacedInvisibly() throws Exception {
        // ~210 unsure tokens, one every 10 ms: the window (24 events) closes after ~0.25 s, the whole stream takes 2 s
        Answers.Gen unsure = Answers.gen("frontdoor", (Answers.LOW_TEXT + " ").repeat(7).strip(), LOW);
        try (RawSseServer frontdoor = new RawSseServer((req, n) -> Answers.sseEvents(unsure, n), 10);
                ScriptedBackends h = ScriptedBackends.builder().external("frontdoor", frontdoor.url())
                        .holdBack(24, 10_000).build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), true);

            assertOneRolesStream(sink, "worker");
            assertEquals(Answers.GOOD_TEXT, sink.streamedText(), "only the worker's text reached the client");
            for (ObjectNode c : sink.chunks) {
                assertFalse(c.toString().contains("Marseille"), "no frontdoor content at all: " + c);
            }
            // nothing was sent before the role that answers was chosen
            int firstChunk = sink.calls.indexOf("chunk");
            assertEquals(List.of("routed:frontdoor", "routed:frontdoor", "routed:worker"),
                    sink.calls.subList(0, firstChunk));

            // the closing events: finish chunk, then the usage chunk carrying x_echelon
            ObjectNode last = sink.chunks.get(sink.chunks.size() - 1);
            ObjectNode finish = sink.chunks.get(sink.chunks.size() - 2);
            assertEquals("stop", finish.path("choices").path(0).path("finish_reason").asText());
            assertEquals(0, last.path("choices").size());
            assertEquals(Answers.tokens(Answers.GOOD_TEXT).size(), last.path("usage").path("completion_tokens").asInt());
            ObjectNode meta = (ObjectNode) last.get("x_echelon");
            assertNotNull(meta, "x_echelon rides on the last chunk");
            assertFalse(finish.has("x_echelon"));
            assertEquals("worker", meta.path("role").asText());
            assertEquals("pass", meta.path("gate").asText());
            List<String> steps = sink.escalations();
            assertEquals(2, steps.size(), steps::toString);
            assertStartsWith("frontdoor asked to think harder: low_quality (within the hold-back window: "
                    + "LOW_CONFIDENCE", steps.get(0));
            assertStartsWith("frontdoor→worker: low_quality (within the hold-back window", steps.get(1));
            assertEquals(List.of("think_harder", "escalate"), h.actions());

            // what the frontdoor backend saw: two streams, the second with the think-harder instruction
            assertEquals(2, frontdoor.requests.size());
            JsonNode first = frontdoor.requests.get(0);
            assertTrue(first.path("stream").asBoolean());
            assertTrue(first.path("stream_options").path("include_usage").asBoolean());
            assertTrue(first.path("logprobs").asBoolean());
            assertEquals(3, first.path("top_logprobs").asInt());
            JsonNode harder = frontdoor.requests.get(1);
            assertEquals(List.of(THINK), systemMessages(harder));
            assertEquals(400, harder.path("max_tokens").asInt());

            // both frontdoor streams were cancelled: Echelon closed the connections long before their end
            await(() -> frontdoor.finished.get() == 2, 3_000, "both frontdoor connections ended");
            assertEquals(2, frontdoor.closedByClient.get(), "the backend saw its client go away");
            int total = Answers.sseEvents(unsure, 0).size();
            for (int written : frontdoor.eventsWritten) {
                assertTrue(written < 60, written + " of " + total + " events were written before the cancel");
            }
        }
    }

    @Test
    void withoutIncludeUsageTheFinishChunkCarriesXEchelon() {
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", Answers.low("frontdoor"))
                .holdBack(24, 10_000).build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), false);

            assertOneRolesStream(sink, "worker");
            assertEquals(Answers.GOOD_TEXT, sink.streamedText());
            for (ObjectNode c : sink.chunks) {
                assertFalse(c.has("usage") && c.path("choices").isEmpty(), "no usage chunk unless asked: " + c);
            }
            ObjectNode last = sink.chunks.get(sink.chunks.size() - 1);
            assertEquals("stop", last.path("choices").path(0).path("finish_reason").asText());
            assertEquals("worker", last.path("x_echelon").path("role").asText());
            assertEquals(2, sink.escalations().size());
            // the backend was asked for usage anyway: Echelon needs it
            assertTrue(h.backend("frontdoor").request(0).path("stream_options").path("include_usage").asBoolean());
        }
    }

    @Test
    void aStreamEndingWithoutAFinishChunkIsAnEarlyAbortRetriedOnceThenEscalated() {
        Answers.Gen cut = Answers.gen("frontdoor", "The capital of", HIGH).finish(null); // [DONE], no finish chunk
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", cut).build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), true);

            assertOneRolesStream(sink, "worker");
            assertEquals(Answers.GOOD_TEXT, sink.streamedText());
            assertEquals(List.of("retry", "escalate"), h.actions());
            for (EscalationEvent e : h.events()) {
                assertEquals(ErrorCategory.EARLY_ABORT, e.category());
                assertContains("the backend ended the stream without a finish_reason", e.reason());
            }
            assertEquals(2, h.requests("frontdoor"));
        }
    }

    @Test
    void aStreamCutAtEofWithoutFinishIsAnInfrastructureFaultThatFallsBack() {
        Answers.Gen cut = Answers.gen("frontdoor", "The capital of", HIGH).finish(null).withoutDone();
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", cut).build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), true);

            assertOneRolesStream(sink, "worker");
            assertEquals(List.of("fallback"), h.actions());
            assertEquals(ErrorCategory.INFRASTRUCTURE, h.events().get(0).category());
            assertContains("backend is unavailable", h.events().get(0).reason());
        }
    }

    @Test
    void aStalledStreamTimesOutAndEscalatesBeforeTheClientSeesAnything() {
        Script stalls = (req, n) -> Answers.render(Answers.good("frontdoor"), req, n)
                .throttleBody(64, 1_000, TimeUnit.MILLISECONDS);
        try (ScriptedBackends h = ScriptedBackends.builder().script("frontdoor", stalls)
                .timeouts("frontdoor", ScriptedBackends.SHORT).build()) {
            long start = System.nanoTime();
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), true);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertOneRolesStream(sink, "worker");
            assertEquals(List.of("escalate"), h.actions());
            assertEquals(ErrorCategory.TIMEOUT, h.events().get(0).category());
            assertStartsWith("frontdoor→worker: timeout", sink.escalations().get(0));
            assertTrue(ms < 2_500, ms + " ms");
        }
    }

    @Test
    void whenEveryRoleIsWeakTheLastCompleteStreamIsServedMarkedAsFailed() {
        ScriptedBackends.Builder b = ScriptedBackends.builder().holdBack(24, 10_000);
        ScriptedBackends.ROLES.forEach(r -> b.always(r, Answers.gen(r, SHORT_LOW_TEXT, LOW)));
        try (ScriptedBackends h = b.build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), true);

            assertOneRolesStream(sink, "architect");
            assertEquals(SHORT_LOW_TEXT, sink.streamedText());
            assertEquals(List.of("think_harder", "escalate", "escalate", "give_up"), h.actions());
            ObjectNode last = sink.chunks.get(sink.chunks.size() - 1);
            assertEquals(0, last.path("choices").size(), "the usage chunk the client asked for comes last");
            ObjectNode meta = (ObjectNode) last.get("x_echelon");
            assertStartsWith("fail: LOW_CONFIDENCE", meta.path("gate").asText());
            assertContains("served anyway: nowhere to escalate", meta.path("gate").asText());
            assertEquals(4, sink.escalations().size());
            assertEquals("stop", sink.chunks.get(sink.chunks.size() - 2).path("choices").path(0)
                    .path("finish_reason").asText());
        }
    }

    // ------------------------------------------------------------------ 9. runaway after commit

    @Test
    void aRunawayAfterCommitIsStoppedByTheMonitorAndNotEscalated() throws Exception {
        List<ObjectNode> entries = new ArrayList<>(Answers.entries(Answers.GOOD_TEXT, HIGH));
        entries.addAll(Answers.entries(Answers.LOOP_BLOCK.repeat(30).strip(), HIGH));
        Answers.Gen runaway = new Answers.Gen("frontdoor", entries, "stop", true, 25);
        int total = Answers.sseEvents(runaway, 0).size();
        try (RawSseServer frontdoor = new RawSseServer((req, n) -> Answers.sseEvents(runaway, n), 3);
                ScriptedBackends h = ScriptedBackends.builder().external("frontdoor", frontdoor.url())
                        .holdBack(24, 10_000).build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 400), true);

            // the last chunk is Echelon's own (see PipelineKnownBugsTest for its missing id)
            assertOneRolesStream(sink, "frontdoor", sink.chunks.size() - 1);
            String text = sink.streamedText();
            assertTrue(text.startsWith(Answers.GOOD_TEXT), text);
            assertTrue(text.contains(Answers.LOOP_BLOCK.repeat(3)), "the loop began before it was caught");
            ObjectNode last = sink.chunks.get(sink.chunks.size() - 1);
            assertEquals("length", last.path("choices").path(0).path("finish_reason").asText(),
                    "an honest finish: cut off");
            ObjectNode meta = (ObjectNode) last.get("x_echelon");
            assertNotNull(meta);
            assertEquals("frontdoor", meta.path("role").asText());
            assertStartsWith("repetition: a block of 6 words repeats back to back", meta.path("stopped_by").asText());
            assertEquals(0, meta.path("escalations").size());
            for (ObjectNode c : sink.chunks) {
                assertFalse("stop".equals(c.path("choices").path(0).path("finish_reason").asText()),
                        "the backend's own finish never arrived: " + c);
            }
            assertTrue(sink.chunks.size() < total - 20, sink.chunks.size() + " chunks of " + total);
            assertEquals(List.of(), h.events(), "no escalation once the client has part of the answer");
            assertEquals(List.of("frontdoor"), roles(sink.routed));
            assertEquals(1, frontdoor.requests.size());
            await(() -> frontdoor.finished.get() == 1, 3_000, "the frontdoor connection ended");
            assertEquals(1, frontdoor.closedByClient.get(), "the runaway generation was cancelled at the backend");
        }
    }

    // ------------------------------------------------------------------ 10. client errors

    @Test
    void aBackendClientErrorOnAStreamIsNotEscalated() {
        try (ScriptedBackends h = ScriptedBackends.builder()
                .script("frontdoor", Script.of(req -> Answers.badRequest("invalid 'messages': empty content")))
                .build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), true);

            assertNotNull(sink.failure);
            assertEquals(400, sink.failure.status());
            assertEquals("invalid_request_error", sink.failure.type());
            assertEquals("invalid 'messages': empty content", sink.failure.getMessage());
            assertTrue(sink.chunks.isEmpty());
            assertEquals(0, sink.ends);
            assertEquals(List.of(), h.events());
            assertEquals(0, h.requests("worker"));
        }
    }
}
