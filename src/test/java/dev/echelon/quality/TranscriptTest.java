package dev.echelon.quality;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.echelon.quality.Samples.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranscriptTest {

    @Test
    void tokenFromOpenAiEntry() {
        TokenLogprob t = TokenLogprob.fromOpenAi(json("""
                {"id":8794,"token":"Hi","bytes":[72,105],"logprob":-1.59,
                 "top_logprobs":[{"id":1,"token":" its","logprob":-0.55},
                                 {"id":8794,"token":"Hi","logprob":-1.59}]}"""));
        assertEquals("Hi", t.token());
        assertEquals(-1.59, t.logprob(), 1e-12);
        assertEquals(List.of(new TokenLogprob.Alternative(" its", -0.55), new TokenLogprob.Alternative("Hi", -1.59)),
                t.top());
    }

    @Test
    void tokenFromPostSamplingProbabilities() {
        TokenLogprob t = TokenLogprob.fromOpenAi(json("""
                {"id":1,"token":"a","prob":0.5,"top_probs":[{"token":"a","prob":0.5},{"token":"b","prob":0.25}]}"""));
        assertEquals(Math.log(0.5), t.logprob(), 1e-12);
        assertEquals(Math.log(0.25), t.top().get(1).logprob(), 1e-12);
        assertFalse(TokenLogprob.fromOpenAi(json("{\"token\":\"x\"}")).hasLogprob());
    }

    @Test
    void entropyEstimate() {
        // two equally likely tokens covering all the mass: ln 2
        TokenLogprob even = new TokenLogprob("a", Math.log(0.5), List.of(
                new TokenLogprob.Alternative("a", Math.log(0.5)), new TokenLogprob.Alternative("b", Math.log(0.5))));
        assertEquals(Math.log(2), even.entropyEstimate(), 1e-9);
        // the unreported remainder counts as one more outcome
        TokenLogprob rest = new TokenLogprob("a", Math.log(0.5), List.of(
                new TokenLogprob.Alternative("a", Math.log(0.5)), new TokenLogprob.Alternative("b", Math.log(0.25))));
        assertEquals(-(0.5 * Math.log(0.5) + 0.25 * Math.log(0.25) + 0.25 * Math.log(0.25)),
                rest.entropyEstimate(), 1e-9);
        assertTrue(Double.isNaN(TokenLogprob.of("a", -0.1).entropyEstimate()));
        // a confident token has low entropy, a torn one high
        TokenLogprob sure = new TokenLogprob("a", -0.01, List.of(new TokenLogprob.Alternative("a", -0.01),
                new TokenLogprob.Alternative("b", -6), new TokenLogprob.Alternative("c", -7)));
        assertTrue(sure.entropyEstimate() < 0.1);
    }

    @Test
    void fromChatCompletion() {
        Transcript t = Transcript.fromChatCompletion(json("""
                {"choices":[{"finish_reason":"stop","index":0,"message":{"role":"assistant","content":"Paris."},
                  "logprobs":{"content":[{"token":"Paris","logprob":-0.1,"top_logprobs":[]},
                                         {"token":".","logprob":-0.01,"top_logprobs":[]}]}}],
                 "usage":{"completion_tokens":3,"prompt_tokens":10}}"""), 64, JsonExpectation.NONE, 120);
        assertEquals("Paris.", t.text());
        assertEquals(2, t.tokens().size());
        assertEquals("stop", t.finishReason());
        assertEquals(3, t.completionTokens());
        assertEquals(64, t.maxTokens());
        assertEquals(120, t.elapsedMs());
        assertFalse(t.toolCall());
        assertTrue(t.finished());
    }

    @Test
    void fromChatCompletionWithToolCall() {
        Transcript t = Transcript.fromChatCompletion(json("""
                {"choices":[{"finish_reason":"tool_calls","index":0,"message":{"role":"assistant","content":null,
                  "tool_calls":[{"id":"c1","type":"function",
                                 "function":{"name":"w","arguments":"{\\"city\\":\\"Paris\\"}"}},
                                {"id":"c2","type":"function","function":{"name":"w","arguments":"{}"}}]}}]}"""));
        assertTrue(t.toolCall());
        assertEquals("{\"city\":\"Paris\"}", t.toolArguments());
        assertEquals("", t.text());
        assertNull(t.completionTokens());
    }

    @Test
    void builderAppendsStreamChunks() {
        TranscriptBuilder b = Transcript.builder().maxTokens(16);
        b.appendChunk(json("{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":null}}],\"object\":\"chat.completion.chunk\"}"));
        b.appendChunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},\"logprobs\":{\"content\":"
                + "[{\"token\":\"Hel\",\"logprob\":-0.2,\"top_logprobs\":[]}]}}]}"));
        Transcript partial = b.build();
        assertEquals("Hel", partial.text());
        assertFalse(partial.finished());
        b.appendChunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo.\"},\"logprobs\":{\"content\":"
                + "[{\"token\":\"lo\",\"logprob\":-0.1},{\"token\":\".\",\"logprob\":-0.3}]}}]}"));
        b.appendChunk(json("{\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}]}"));
        b.appendChunk(json("{\"choices\":[],\"usage\":{\"completion_tokens\":4}}"));
        Transcript t = b.build();
        assertEquals("Hello.", t.text());
        assertEquals(3, t.tokens().size());
        assertEquals("stop", t.finishReason());
        assertEquals(4, t.completionTokens());
        assertEquals(16, t.maxTokens());
        assertEquals("Hel", partial.text(), "snapshots are immutable");
    }

    @Test
    void builderAccumulatesToolArgumentDeltas() {
        TranscriptBuilder b = Transcript.builder();
        b.appendChunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\","
                + "\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"{\\\"ci\"}}]}}]}"));
        b.appendChunk(json("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                + "\"function\":{\"arguments\":\"ty\\\":\\\"Paris\\\"}\"}}]}}]}"));
        b.appendChunk(json("{\"choices\":[{\"finish_reason\":\"tool_calls\",\"index\":0,\"delta\":{}}]}"));
        Transcript t = b.build();
        assertTrue(t.toolCall());
        assertEquals("{\"city\":\"Paris\"}", t.toolArguments());
        assertTrue(new QualityGate().judge(t).pass());
    }

    @Test
    void builderAcceptsNativeCompletionEvents() {
        TranscriptBuilder b = Transcript.builder();
        b.appendChunk(json("{\"content\":\"Once\",\"stop\":false,\"completion_probabilities\":"
                + "[{\"token\":\"Once\",\"logprob\":-0.01,\"top_logprobs\":[]}]}"));
        b.appendChunk(json("{\"content\":\"\",\"stop\":true,\"stop_type\":\"limit\",\"tokens_predicted\":1}"));
        Transcript t = b.build();
        assertEquals("Once", t.text());
        assertEquals("length", t.finishReason());
        assertEquals(1, t.completionTokens());
        assertEquals(1, t.tokens().size());
    }

    @Test
    void jsonExpectationFromRequest() {
        assertEquals(JsonExpectation.NONE, JsonExpectation.fromChatRequest(json("{\"messages\":[]}")));
        assertEquals(JsonExpectation.NONE,
                JsonExpectation.fromChatRequest(json("{\"response_format\":{\"type\":\"text\"}}")));
        assertEquals(JsonExpectation.OBJECT,
                JsonExpectation.fromChatRequest(json("{\"response_format\":{\"type\":\"json_object\"}}")));
        JsonExpectation s = JsonExpectation.fromChatRequest(json("{\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}}}"));
        assertEquals(JsonExpectation.Kind.SCHEMA, s.kind());
        assertEquals(json("{\"type\":\"object\"}"), s.schema());
        JsonExpectation ls = JsonExpectation.fromChatRequest(json("{\"response_format\":{\"type\":\"json_object\","
                + "\"schema\":{\"type\":\"array\"}}}"));
        assertEquals(JsonExpectation.Kind.SCHEMA, ls.kind());
    }

    @Test
    void failureCategories() {
        assertEquals(FailureCategory.TIMEOUT, Failure.TIMEOUT.category());
        assertEquals(FailureCategory.EARLY_ABORT, Failure.ABORTED.category());
        assertEquals(FailureCategory.EARLY_ABORT, Failure.TRUNCATED.category());
        for (Failure f : List.of(Failure.EMPTY, Failure.TOO_SHORT, Failure.REPETITION, Failure.LOW_CONFIDENCE,
                Failure.REFUSAL)) {
            assertEquals(FailureCategory.LOW_QUALITY, f.category());
        }
        for (Failure f : List.of(Failure.INVALID_JSON, Failure.SCHEMA_MISMATCH, Failure.INVALID_TOOL_ARGUMENTS)) {
            assertEquals(FailureCategory.FORMAT, f.category());
        }
    }
}
