package dev.echelon.quality;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityGateEarlyTest {

    private final QualityGate gate = new QualityGate();

    private static Transcript prefix(List<TokenLogprob> tokens, int n, JsonExpectation json) {
        List<TokenLogprob> head = tokens.subList(0, n);
        return Transcript.builder().text(Samples.text(head)).tokens(head).json(json).build();
    }

    @Test
    void neverFlagsAnyPrefixOfAGoodAnswer() {
        for (String text : List.of(Samples.PROSE, Samples.CODE, Samples.TABLE, Samples.JSON_ARRAY,
                "Hello! How can I help you today?")) {
            List<TokenLogprob> toks = Samples.confident(text, 21);
            for (int n = 0; n <= toks.size(); n++) {
                Verdict v = gate.judgeEarly(prefix(toks, n, JsonExpectation.NONE));
                assertTrue(v.pass(), "prefix of " + n + " tokens: " + v);
            }
        }
    }

    @Test
    void neverCallsAStillGeneratingPrefixTooShortOrEmpty() {
        for (String t : List.of("", "The", "The answer is", "```python\ndef f(")) {
            assertTrue(gate.judgeEarly(Transcript.builder().text(t).build()).pass(), t);
        }
        // once finished, the same prefix is judged in full
        assertEquals(List.of(Failure.TOO_SHORT),
                gate.judgeEarly(Transcript.builder().text("The").finishReason("stop").build()).failures());
        assertEquals(List.of(Failure.EMPTY),
                gate.judgeEarly(Transcript.builder().text("").finishReason("stop").build()).failures());
    }

    @Test
    void flagsALoopingPrefix() {
        String text = "```python\ndef f(items):\n" + "    result = result + value\n".repeat(8);
        Verdict v = gate.judgeEarly(Transcript.builder().text(text).tokens(Samples.confident(text, 1)).build());
        assertEquals(List.of(Failure.REPETITION), v.failures());
    }

    @Test
    void flagsLowConfidenceOnlyAfterEnoughTokens() {
        List<TokenLogprob> toks = Samples.unsure(Samples.PROSE, 8);
        int min = GateConfig.DEFAULT.earlyMinTokens();
        assertTrue(gate.judgeEarly(prefix(toks, min - 1, JsonExpectation.NONE)).pass());
        Verdict v = gate.judgeEarly(prefix(toks, min, JsonExpectation.NONE));
        assertEquals(List.of(Failure.LOW_CONFIDENCE), v.failures());
    }

    @Test
    void flagsARefusalOpeningOnceItHadTimeToPivot() {
        String refusal = "I'm sorry, but I can't help with that request. Is there anything else I could do for you?";
        List<TokenLogprob> toks = Samples.confident(refusal, 2);
        assertTrue(gate.judgeEarly(prefix(toks, 6, JsonExpectation.NONE)).pass());
        assertEquals(List.of(Failure.REFUSAL), gate.judgeEarly(prefix(toks, toks.size(), JsonExpectation.NONE))
                .failures());
        String pivot = "I can't help with booking it directly, but here is how you can compare the fares yourself:";
        List<TokenLogprob> ptoks = Samples.confident(pivot, 2);
        assertTrue(gate.judgeEarly(prefix(ptoks, ptoks.size(), JsonExpectation.NONE)).pass());
    }

    @Test
    void flagsJsonOnlyWhenItCanNoLongerBecomeValid() {
        for (String ok : List.of("", "{", "{\"a\"", "{\"a\": 1, \"b\": tr", "{\"a\": [1, 2.", "```json\n{\"a\":",
                "{\"a\": \"x\\u00", "{\"a\": -")) {
            Transcript t = Transcript.builder().text(ok).json(JsonExpectation.OBJECT).build();
            assertTrue(gate.judgeEarly(t).pass(), ok);
        }
        for (String bad : List.of("{a:", "Sure! Here", "{\"a\": 1]", "{\"a\": tru3", "{\"a\" 1")) {
            Transcript t = Transcript.builder().text(bad).json(JsonExpectation.OBJECT).build();
            Verdict v = gate.judgeEarly(t);
            assertEquals(List.of(Failure.INVALID_JSON), v.failures(), bad);
        }
        Transcript tool = Transcript.builder().toolArguments("{city:").build();
        assertEquals(List.of(Failure.INVALID_TOOL_ARGUMENTS), gate.judgeEarly(tool).failures());
        assertTrue(gate.judgeEarly(Transcript.builder().toolArguments("{\"city\":\"Par").build()).pass());
    }

    @Test
    void earlyNeverFlagsWhatTheFinalJudgeWouldPass() {
        // a prefix verdict is a subset of what the whole answer gets: spot-check on a weak answer
        List<TokenLogprob> toks = Samples.unsure(Samples.PROSE, 4);
        Verdict whole = gate.judge(Samples.finished(Samples.text(toks), toks));
        for (int n = 1; n < toks.size(); n += 7) {
            Verdict early = gate.judgeEarly(prefix(toks, n, JsonExpectation.NONE));
            assertTrue(whole.failures().containsAll(early.failures()), early::toString);
        }
        assertFalse(whole.pass());
    }
}
