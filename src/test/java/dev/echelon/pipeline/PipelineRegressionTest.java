package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.escalation.Budget;
import dev.echelon.escalation.CircuitBreakers;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.echelon.pipeline.Answers.HIGH;
import static dev.echelon.pipeline.Answers.systemMessages;
import static dev.echelon.pipeline.ScriptedBackends.Script;
import static dev.echelon.pipeline.ScriptedBackends.chatBody;
import static dev.echelon.pipeline.ScriptedBackends.jsonBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regressions: behaviour the escalation issue asks for that the first version of the pipeline got wrong (a runaway's
 * final chunk without id, EOF after a finish read as a fault, circuit-open and down roles not falling back, the
 * deadline not bounding a running attempt, repeated instructions, earlier answers dropped on give-up).
 */
class PipelineRegressionTest {

    static final String QUESTION = "What is the capital of France?";

    @Test
    void theRunawayStopsFinalChunkKeepsTheStreamsId() throws Exception {
        List<ObjectNode> entries = new ArrayList<>(Answers.entries(Answers.GOOD_TEXT, HIGH));
        entries.addAll(Answers.entries(Answers.LOOP_BLOCK.repeat(30).strip(), HIGH));
        Answers.Gen runaway = new Answers.Gen("frontdoor", entries, "stop", true, 25);
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", runaway).holdBack(24, 10_000)
                .build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 400), false);

            ObjectNode last = sink.chunks.get(sink.chunks.size() - 1);
            assertEquals("length", last.path("choices").path(0).path("finish_reason").asText());
            assertEquals("chatcmpl-frontdoor-0", last.path("id").asText(), "every chunk of a stream has its id");
            assertTrue(last.has("created"), last::toString);
        }
    }

    @Test
    void aStreamThatEndsAtEofAfterItsFinishChunkIsComplete() {
        // LlamaServerClient.chatStream documents "Ends at data: [DONE] …, or at EOF after a chunk with a
        // finish_reason"; the raw-JSON stream the pipeline uses should accept the same
        Answers.Gen noDone = Answers.gen("frontdoor", "Paris is the capital of France.", HIGH).withoutDone();
        try (ScriptedBackends h = ScriptedBackends.builder().always("frontdoor", noDone).build()) {
            CapturingSink sink = h.stream("auto", chatBody("auto", QUESTION, 200), true);

            assertNull(sink.failure);
            assertEquals("frontdoor", sink.meta().path("role").asText());
            assertEquals(List.of(), h.actions(), "a complete answer is not an infrastructure fault");
            assertEquals(0, h.requests("worker"));
        }
    }

    @Test
    void anOpenBreakerOnTheRequestedRoleFallsBackAtOnce() {
        try (ScriptedBackends h = ScriptedBackends.builder().dead("coder").maxQueueWaitMs(1_500)
                .breakers(new CircuitBreakers.Settings(1, Duration.ofSeconds(30), Duration.ofMinutes(5))).build()) {
            h.json("coder", chatBody("coder", "Write a Python function", 200));
            assertEquals(CircuitBreakers.State.OPEN, h.breakers.state("coder-0"));

            long start = System.nanoTime();
            CapturingSink sink = h.json("coder", chatBody("coder", "Write another Python function", 200));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertNull(sink.failure, () -> sink.failure.status() + " " + sink.failure.getMessage() + " after " + ms
                    + " ms");
            assertEquals("architect", sink.meta().path("role").asText());
            assertTrue(ms < 1_000, "no wait for a slot that an open breaker will not give: " + ms + " ms");
        }
    }

    @Test
    void theDeadlineBoundsAnAttemptInProgress() {
        try (ScriptedBackends h = ScriptedBackends.builder()
                .script("frontdoor", Script.of(req -> new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE)))
                .budget(Budget.DEFAULT.withDeadline(Duration.ofMillis(800))).build()) {
            long start = System.nanoTime();
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertTrue(sink.failure != null || sink.json != null);
            assertTrue(ms < 1_500, "the request's 800 ms deadline ends it, not the role's 3 s read timeout: " + ms
                    + " ms");
        }
    }

    @Test
    void repeatedStrictJsonRetriesDoNotStackTheInstruction() {
        try (ScriptedBackends h = ScriptedBackends.builder()
                .always("frontdoor", Answers.gen("frontdoor", Answers.INVALID_JSON, HIGH))
                .always("worker", Answers.gen("worker", Answers.VALID_JSON, HIGH)).build()) {
            h.json("auto", jsonBody("auto", "The capital of France as JSON", 200));

            assertEquals(3, h.requests("frontdoor"));
            assertEquals(List.of(Instructions.STRICT_JSON), systemMessages(h.backend("frontdoor").request(2)),
                    "the instruction once, however many retries");
        }
    }

    @Test
    void givingUpServesAnEarlierCandidateWhenTheLastAttemptProducedNone() {
        Script noResponse = Script.of(req -> new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        try (ScriptedBackends h = ScriptedBackends.builder()
                .always("frontdoor", Answers.low("frontdoor")).always("worker", Answers.low("worker"))
                .script("architect", noResponse).timeouts("architect", ScriptedBackends.SHORT)
                .script("coder", noResponse).timeouts("coder", ScriptedBackends.SHORT).build()) {
            CapturingSink sink = h.json("auto", chatBody("auto", QUESTION, 200));

            assertEquals("give_up", h.actions().get(h.actions().size() - 1));
            assertNull(sink.failure, () -> "an answer was there, yet: " + sink.failure.status() + " "
                    + sink.failure.getMessage());
            assertTrue(sink.meta().path("gate").asText().startsWith("fail: "));
        }
    }

    @Test
    void aRequestedRoleThatIsDownFallsBackToItsFallback() {
        try (ScriptedBackends h = ScriptedBackends.builder().down("coder").build()) {
            CapturingSink sink = h.json("coder", chatBody("coder", "Write a Python function", 200));

            assertNull(sink.failure, () -> sink.failure.status() + " " + sink.failure.getMessage());
            assertEquals("architect", sink.meta().path("role").asText());
            assertEquals(List.of("fallback"), h.actions());
        }
    }
}
