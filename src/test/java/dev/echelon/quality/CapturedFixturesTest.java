package dev.echelon.quality;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Responses captured from the running service in mock mode ({@code src/test/resources/quality/}: request and
 * response as sent and received, compacted) and one from a real llama-server. Capable models' answers must pass,
 * overmatched models' answers must fail for the reasons visible in them.
 */
class CapturedFixturesTest {

    private final QualityGate gate = new QualityGate();

    /** The transcript of a captured {request, response}, with the expectations the request carried. */
    static Transcript load(String name) {
        JsonNode d = Samples.json(Samples.resource(name));
        JsonNode req = d.get("request");
        JsonExpectation ex = JsonExpectation.fromChatRequest(req);
        if (req.has("tools")) {
            ex = JsonExpectation.schema(req.get("tools").get(0).get("function").get("parameters"));
        }
        Integer max = req.has("max_tokens") ? req.get("max_tokens").asInt() : null;
        return Transcript.fromChatCompletion(d.get("response"), max, ex, 0);
    }

    /** A transcript rebuilt from a captured SSE stream, chunk by chunk. */
    static List<JsonNode> chunks(String name) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Samples.resource(name).split("\n")) {
            if (line.startsWith("data: {")) {
                out.add(Samples.json(line.substring(6)));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "good_greeting.json,            ''",
        "good_short_answer.json,        ''",
        "good_json_object.json,         ''",
        "good_schema.json,              ''",
        "good_tool_call.json,           ''",
        "weak_low_confidence_json.json, LOW_CONFIDENCE",
        "weak_code_cut.json,            TRUNCATED LOW_CONFIDENCE",
        "weak_invalid_json.json,        INVALID_JSON LOW_CONFIDENCE",
        "weak_json_cut.json,            TRUNCATED LOW_CONFIDENCE",
        "weak_loop.json,                REPETITION LOW_CONFIDENCE",
        "weak_tool_cut.json,            INVALID_TOOL_ARGUMENTS LOW_CONFIDENCE",
    })
    void capturedResponsesGetTheExpectedVerdicts(String fixture, String expected) {
        Transcript t = load(fixture);
        Verdict v = gate.judge(t);
        List<Failure> want = expected.isBlank() ? List.of()
                : Arrays.stream(expected.trim().split("\\s+")).map(Failure::valueOf).toList();
        assertEquals(want, v.failures(), v::toString);
        if (fixture.startsWith("good")) {
            // the separation measured on the captures: capable answers sit near -0.3
            assertTrue(v.meanLogprob() > -0.6, v::toString);
            assertTrue(v.lowConfidenceFraction() < 0.05, v::toString);
            // and no prefix of them is held back
            assertTrue(earlyFailureAt(t) < 0);
        } else {
            assertTrue(v.meanLogprob() < -1.8, v::toString);
        }
    }

    /** The smallest token count at which judgeEarly flags a prefix, or -1. */
    private int earlyFailureAt(Transcript t) {
        List<TokenLogprob> toks = t.tokens();
        for (int n = 1; n < toks.size(); n++) {
            String text = Samples.text(toks.subList(0, n));
            TranscriptBuilder b = Transcript.builder().tokens(toks.subList(0, n)).json(t.json());
            if (t.toolCall()) {
                b.toolArguments(text);
            } else {
                b.text(text);
            }
            if (!gate.judgeEarly(b.build()).pass()) {
                return n;
            }
        }
        return -1;
    }

    @Test
    void weakAnswersAreHeldBackEarly() {
        for (String f : List.of("weak_low_confidence_json.json", "weak_invalid_json.json", "weak_json_cut.json",
                "weak_loop.json", "weak_tool_cut.json")) {
            int at = earlyFailureAt(load(f));
            assertTrue(at > 0 && at <= GateConfig.DEFAULT.earlyMinTokens(), f + " flagged at " + at);
        }
        // the invalid JSON is visible from its second character
        assertEquals(2, earlyFailureAt(load("weak_invalid_json.json")));
    }

    @Test
    void realLlamaServerCapture() {
        // tiny 9M model on a real llama-server: confident but cut by the client's limit of 12 tokens
        JsonNode response = Samples.json(Samples.resource("llama_server_tiny_chat.json"));
        Transcript asked12 = Transcript.fromChatCompletion(response, 12, JsonExpectation.NONE, 0);
        Verdict v = gate.judge(asked12);
        assertTrue(v.pass(), v::toString);
        assertEquals(12, v.tokensJudged());
        assertTrue(Double.isFinite(v.meanEntropy()));
        // without a requested limit, stopping on "length" after 12 tokens is a truncation
        Verdict noLimit = gate.judge(Transcript.fromChatCompletion(response));
        assertEquals(List.of(Failure.TRUNCATED), noLimit.failures());
    }

    @Test
    void goodStreamPassesAndTheMonitorStaysQuiet() {
        TranscriptBuilder b = Transcript.builder().maxTokens(64);
        GenerationMonitor m = new GenerationMonitor();
        for (JsonNode c : chunks("stream_good.sse")) {
            b.appendChunk(c);
            for (JsonNode e : c.path("choices").path(0).path("logprobs").path("content")) {
                assertTrue(m.onToken(TokenLogprob.fromOpenAi(e)).isEmpty(), m.reason());
            }
            assertTrue(gate.judgeEarly(b.build()).pass());
        }
        Transcript t = b.build();
        assertEquals("stop", t.finishReason());
        assertTrue(gate.judge(t).pass(), () -> gate.judge(t).toString());
    }

    @Test
    void loopingStreamIsStoppedByTheMonitor() {
        TranscriptBuilder b = Transcript.builder().maxTokens(90);
        GenerationMonitor m = new GenerationMonitor();
        int tokens = 0;
        int firedAt = -1;
        List<Failure> raised = new ArrayList<>();
        for (JsonNode c : chunks("stream_loop.sse")) {
            b.appendChunk(c);
            for (JsonNode e : c.path("choices").path(0).path("logprobs").path("content")) {
                Optional<Failure> f = m.onToken(TokenLogprob.fromOpenAi(e));
                tokens++;
                if (f.isPresent()) {
                    raised.add(f.get());
                    firedAt = tokens;
                }
            }
        }
        assertEquals(1, raised.size(), "fires once");
        assertTrue(firedAt > 0 && firedAt <= 60, "fired at token " + firedAt);
        Verdict v = gate.judge(b.build());
        assertFalse(v.pass());
        assertEquals(Failure.REPETITION, v.failures().get(0), v::toString);
    }
}
