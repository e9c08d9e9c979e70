package dev.echelon.quality;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.echelon.quality.Samples.confident;
import static dev.echelon.quality.Samples.finished;
import static dev.echelon.quality.Samples.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QualityGateTest {

    private final QualityGate gate = new QualityGate();

    private Verdict judgeText(String text) {
        return gate.judge(finished(text, confident(text, 7)));
    }

    private static void assertPass(Verdict v) {
        assertTrue(v.pass(), () -> "expected a pass: " + v);
        assertNull(v.category());
        assertTrue(v.failures().isEmpty());
    }

    private static void assertFails(Verdict v, Failure expected) {
        assertFalse(v.pass(), () -> "expected " + expected + ": " + v);
        assertTrue(v.has(expected), () -> "expected " + expected + ": " + v);
    }

    // ---- good answers pass -------------------------------------------------------------------------------------

    @Test
    void confidentLongAnswersPass() {
        for (String text : List.of(Samples.PROSE, Samples.CODE, Samples.TABLE, Samples.PROSE + Samples.CODE)) {
            Verdict v = judgeText(text);
            assertPass(v);
            assertTrue(v.meanLogprob() > -0.5, v::toString);
            assertTrue(v.repetitionScore() < 0.5, v::toString);
            assertTrue(v.tokensJudged() > 50);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Paris.", "Paris", "4", "Yes.", "No", "Hello! How can I help you today?", "42 km/h",
        "The capital of France is Paris.", "x = 3", "👍", "It is C++", "Plan A", "I think so", "Log in", "A"})
    void shortCompleteAnswersPass(String text) {
        assertPass(judgeText(text));
        assertPass(gate.judge(Transcript.of(text, "stop"))); // no log-probabilities at all
    }

    @Test
    void shortAnswersAreNotJudgedOnConfidence() {
        // "4" for "2+2" from a model that hesitated over formatting: 2 tokens say nothing about quality
        Transcript t = Transcript.of("4.", List.of(TokenLogprob.of("4", -2.5), TokenLogprob.of(".", -3.0)), "stop");
        Verdict v = gate.judge(t);
        assertPass(v);
        assertEquals(2, v.tokensJudged());
    }

    @Test
    void answerCutByTheClientsOwnLimitPasses() {
        String text = Samples.PROSE.substring(0, 300);
        List<TokenLogprob> toks = confident(text, 3);
        Transcript t = Transcript.builder().text(text).tokens(toks).finishReason("length")
                .completionTokens(64).maxTokens(64).build();
        assertPass(gate.judge(t));
    }

    // ---- each failure kind --------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "   \n  ", "...", "```\n```"})
    void emptyAnswers(String text) {
        Verdict v = gate.judge(Transcript.of(text, "stop"));
        assertFails(v, Failure.EMPTY);
        assertEquals(FailureCategory.LOW_QUALITY, v.category());
    }

    @ParameterizedTest
    @ValueSource(strings = {"The", "The answer is", "I think that", "Well,", "Use the"})
    void tooShortAnswers(String text) {
        Verdict v = judgeText(text);
        assertFails(v, Failure.TOO_SHORT);
        assertEquals(FailureCategory.LOW_QUALITY, v.category());
    }

    @Test
    void truncatedByContextBeforeTheRequestedLimit() {
        String text = Samples.sentences(400);
        Transcript t = Transcript.builder().text(text).tokens(confident(text, 1)).finishReason("length")
                .completionTokens(80).maxTokens(1024).build();
        Verdict v = gate.judge(t);
        assertFails(v, Failure.TRUNCATED);
        assertEquals(FailureCategory.EARLY_ABORT, v.category());
    }

    @Test
    void truncatedByLengthAfterVeryFewTokensWithoutARequestedLimit() {
        Transcript t = Transcript.builder().text("The congestion window is").finishReason("length")
                .completionTokens(5).build();
        assertFails(gate.judge(t), Failure.TRUNCATED);
    }

    @Test
    void stoppedInsideACodeBlockOrMidSentence() {
        String code = "Here is the function:\n\n```python\ndef process_items(items):\n    result = []\n";
        assertFails(judgeText(code), Failure.TRUNCATED);
        String mid = "Slow start doubles the window every round trip, and after a loss the sender halves it and grows the";
        assertFails(judgeText(mid), Failure.TRUNCATED);
        assertPass(judgeText(mid + " window slowly."));
    }

    @Test
    void repetitionLoopInText() {
        StringBuilder sb = new StringBuilder("Here is the code:\n\n```python\ndef sum_numbers(numbers):\n");
        for (int i = 0; i < 12; i++) {
            sb.append("        result = result + value\n");
        }
        Verdict v = judgeText(sb.toString());
        assertFails(v, Failure.REPETITION);
        assertEquals(Failure.REPETITION, v.failures().get(0));
        assertEquals(1.0, v.repetitionScore(), 1e-9);
    }

    private static String counterLoop(int steps) {
        StringBuilder sb = new StringBuilder("Let me compute it.\n");
        for (int i = 1; i <= steps; i++) {
            sb.append("Step ").append(i).append(": add the value to the running total and check it again.\n");
        }
        return sb.toString();
    }

    @Test
    void aLongLoopWithACounterIsCaughtByCompression() {
        Verdict v = judgeText(counterLoop(24));
        assertEquals(List.of(Failure.REPETITION), v.failures());
        assertTrue(v.reason().contains("compresses"), v::reason);
    }

    @Test
    void inexactRepeatsAreATradeOffOfTheSimilarityThreshold() {
        // the default asks for exact repeats: a short counter loop and a list of similar records both pass ...
        assertPass(judgeText(counterLoop(6)));
        assertPass(judgeText(Samples.JSON_ARRAY));
        // ... a tolerant threshold catches the counter loop early, at the price of flagging the records too
        QualityGate tolerant = new QualityGate(GateConfig.DEFAULT.toBuilder().repeatSimilarity(0.9).build());
        String loop = counterLoop(6);
        assertTrue(tolerant.judge(finished(loop, confident(loop, 7))).has(Failure.REPETITION));
        assertTrue(tolerant.judge(finished(Samples.JSON_ARRAY, confident(Samples.JSON_ARRAY, 7)))
                .has(Failure.REPETITION));
    }

    @Test
    void repetitionOfALongParagraphIsCaughtByCompression() {
        // a 90-word paragraph repeated: longer than the loop search's period, caught by the compression ratio
        String para = Samples.PROSE.substring(0, Samples.PROSE.indexOf("Modern stacks")).strip() + " ";
        String text = para.repeat(6);
        Verdict v = judgeText(text);
        assertFails(v, Failure.REPETITION);
        assertTrue(v.reason().contains("compresses"), v::reason);
    }

    @Test
    void lowConfidenceByMeanLogprob() {
        String text = Samples.sentences(600);
        Verdict v = gate.judge(finished(text, Samples.unsure(text, 11)));
        assertFails(v, Failure.LOW_CONFIDENCE);
        assertEquals(List.of(Failure.LOW_CONFIDENCE), v.failures());
        assertEquals(FailureCategory.LOW_QUALITY, v.category());
        assertTrue(v.meanLogprob() < -2.0, v::toString);
        assertTrue(v.meanEntropy() > 1.0, v::toString);
        assertTrue(v.lowConfidenceFraction() > 0.35, v::toString);
    }

    @Test
    void lowConfidenceByFractionOfUnlikelyTokens() {
        // mean -0.99 passes the mean threshold, but 40 % of tokens have p < 0.1
        List<TokenLogprob> toks = new ArrayList<>();
        List<String> words = Samples.split(Samples.sentences(500));
        for (int i = 0; i < words.size(); i++) {
            toks.add(TokenLogprob.of(words.get(i), i % 5 < 2 ? -2.4 : -0.05));
        }
        Verdict v = gate.judge(finished(Samples.text(toks), toks));
        assertTrue(v.meanLogprob() > GateConfig.DEFAULT.minMeanLogprob(), v::toString);
        assertFails(v, Failure.LOW_CONFIDENCE);
        assertTrue(v.reason().contains("below logprob"), v::reason);
    }

    @Test
    void lowConfidenceByFlatAlternatives() {
        // chosen p = 0.41, four alternatives at 0.14: the model was torn at every step (entropy ~1.57 nats)
        List<TokenLogprob> toks = new ArrayList<>();
        for (String w : Samples.split(Samples.sentences(500))) {
            List<TokenLogprob.Alternative> top = new ArrayList<>();
            top.add(new TokenLogprob.Alternative(w, Math.log(0.41)));
            for (int i = 0; i < 4; i++) {
                top.add(new TokenLogprob.Alternative(" other" + i, Math.log(0.14)));
            }
            toks.add(new TokenLogprob(w, Math.log(0.41), top));
        }
        Verdict v = gate.judge(finished(Samples.text(toks), toks));
        assertTrue(v.meanLogprob() > GateConfig.DEFAULT.minMeanLogprob());
        assertTrue(v.meanEntropy() > 1.5, v::toString);
        assertFails(v, Failure.LOW_CONFIDENCE);
        assertTrue(v.reason().contains("entropy"), v::reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"I'm sorry, but I can't help with that request.",
        "I can’t help with that.", "As an AI language model, I do not have access to real-time data.",
        "I cannot assist with creating malware. Is there anything else I can help you with?"})
    void refusals(String text) {
        Verdict v = judgeText(text);
        assertFails(v, Failure.REFUSAL);
        assertEquals(FailureCategory.LOW_QUALITY, v.category());
    }

    @Test
    void partialRefusalsAndQuotedPhrasesAreNotRefusals() {
        assertPass(judgeText("I can't help with booking flights, but here is how to compare fares: check several "
                + "airlines, use flexible dates and set price alerts."));
        assertPass(judgeText(Samples.PROSE + " A support bot that answers \"I cannot assist\" to everything is "
                + "useless."));
    }

    @Test
    void timeoutAndAbortComeFirst() {
        Transcript t = Transcript.builder().text("Slow start doubles").timedOut(true).elapsedMs(30_000).build();
        Verdict v = gate.judge(t);
        assertEquals(Failure.TIMEOUT, v.failures().get(0));
        assertEquals(FailureCategory.TIMEOUT, v.category());

        Transcript a = Transcript.builder().text(Samples.PROSE).tokens(confident(Samples.PROSE, 2)).aborted(true)
                .build();
        Verdict va = gate.judge(a);
        assertEquals(List.of(Failure.ABORTED), va.failures());
        assertEquals(FailureCategory.EARLY_ABORT, va.category());
    }

    @Test
    void failuresAreOrderedBySeverity() {
        String text = "```python\ndef f(x):\n" + "    x = x + 1\n".repeat(20);
        Verdict v = gate.judge(finished(text, Samples.unsure(text, 5)));
        assertEquals(List.of(Failure.REPETITION, Failure.TRUNCATED, Failure.LOW_CONFIDENCE), v.failures());
        assertTrue(v.reason().startsWith("REPETITION"), v::reason);
    }

    @Test
    void judgingIsDeterministic() {
        Transcript t = finished(Samples.PROSE, Samples.unsure(Samples.PROSE, 3));
        assertEquals(gate.judge(t), gate.judge(t));
        assertEquals(new QualityGate().judge(t), gate.judge(t));
    }

    // ---- JSON ---------------------------------------------------------------------------------------------------

    private Verdict judgeJson(String text, JsonExpectation ex) {
        return gate.judge(finished(text, confident(text, 4)).withJson(ex));
    }

    @Test
    void validJsonPasses() {
        assertPass(judgeJson("{\"answer\":\"Paris\",\"confidence\":0.93}", JsonExpectation.OBJECT));
        assertPass(judgeJson("```json\n{\"answer\": \"Paris\"}\n```", JsonExpectation.OBJECT));
        assertPass(judgeJson("  {\"nested\": {\"list\": [1, 2.5e3, -0.1, true, null, \"x\\u00e9\"]}}\n",
                JsonExpectation.OBJECT));
    }

    @Test
    void invalidJson() {
        for (String bad : List.of("{answer:\"Paris\"}", "Here is the JSON: {\"a\": 1}", "{\"a\": 1}}",
                "{\"a\": 01}", "{\"a\": 'x'}", "{\"a\": 1, \"a\": 2}")) {
            Verdict v = judgeJson(bad, JsonExpectation.OBJECT);
            assertFails(v, Failure.INVALID_JSON);
            assertEquals(FailureCategory.FORMAT, v.category(), bad);
        }
    }

    @Test
    void cutJsonIsTruncated() {
        Verdict v = judgeJson("{\"answer\":\"A function should do one thing and have a n", JsonExpectation.OBJECT);
        assertEquals(List.of(Failure.TRUNCATED), v.failures());
        assertEquals(FailureCategory.EARLY_ABORT, v.category());

        Transcript len = Transcript.builder().text("{\"items\": [1, 2, 3,").finishReason("length")
                .completionTokens(9).maxTokens(9).json(JsonExpectation.OBJECT).build();
        assertFails(gate.judge(len), Failure.TRUNCATED);
        assertTrue(gate.judge(len).reason().contains("length"));
    }

    @Test
    void nonObjectWhereAnObjectWasRequired() {
        Verdict v = judgeJson("[1, 2, 3]", JsonExpectation.OBJECT);
        assertEquals(List.of(Failure.SCHEMA_MISMATCH), v.failures());
    }

    @Test
    void schemaChecks() {
        JsonExpectation ex = JsonExpectation.schema(json("""
                {"type":"object","required":["answer","confidence"],
                 "properties":{"answer":{"type":"string"},"confidence":{"type":"number"},
                   "level":{"enum":["low","high"]},
                   "source":{"type":"object","required":["url"],"properties":{"url":{"type":"string"}}}}}"""));
        assertPass(judgeJson("{\"answer\":\"Paris\",\"confidence\":0.9,\"level\":\"high\",\"source\":{\"url\":\"u\"}}",
                ex));
        Verdict missing = judgeJson("{\"answer\":\"Paris\"}", ex);
        assertEquals(List.of(Failure.SCHEMA_MISMATCH), missing.failures());
        assertTrue(missing.reason().contains("confidence"), missing::reason);
        assertFails(judgeJson("{\"answer\":1,\"confidence\":0.9}", ex), Failure.SCHEMA_MISMATCH);
        assertFails(judgeJson("{\"answer\":\"a\",\"confidence\":0.9,\"level\":\"medium\"}", ex),
                Failure.SCHEMA_MISMATCH);
        Verdict nested = judgeJson("{\"answer\":\"a\",\"confidence\":0.9,\"source\":{}}", ex);
        assertFails(nested, Failure.SCHEMA_MISMATCH);
        assertTrue(nested.reason().contains("/source"), nested::reason);
    }

    @Test
    void emptyJsonValuesAreJudgedAsJson() {
        assertPass(judgeJson("{}", JsonExpectation.OBJECT));
        assertEquals(List.of(Failure.EMPTY), gate.judge(Transcript.of(" ", "stop").withJson(JsonExpectation.OBJECT))
                .failures());
        JsonExpectation needsAnswer = JsonExpectation.schema(json("{\"required\":[\"answer\"]}"));
        assertEquals(List.of(Failure.SCHEMA_MISMATCH), judgeJson("{}", needsAnswer).failures());
    }

    @Test
    void jsonCheckAppliesOnlyWhenRequired() {
        assertPass(judgeText("The answer is {not json} and that is fine."));
    }

    // ---- tool calls ---------------------------------------------------------------------------------------------

    private static Transcript toolCall(String args, JsonExpectation ex) {
        return Transcript.builder().toolArguments(args).finishReason("tool_calls").json(ex).completionTokens(12)
                .build();
    }

    @Test
    void toolCallArguments() {
        JsonExpectation ex = JsonExpectation.schema(json("""
                {"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},
                 "required":["city"]}"""));
        assertPass(gate.judge(toolCall("{\"city\":\"Paris\",\"days\":3}", ex)));
        assertPass(gate.judge(toolCall("{\"city\":\"Paris\"}", JsonExpectation.NONE)));
        for (String bad : List.of("{\"city\":\"Paris\",", "{city: Paris}", "[\"Paris\"]", "{\"days\":2}",
                "{\"city\":\"Paris\",\"days\":2.5}", "")) {
            Verdict v = gate.judge(toolCall(bad, ex));
            assertEquals(List.of(Failure.INVALID_TOOL_ARGUMENTS), v.failures(), bad);
            assertEquals(FailureCategory.FORMAT, v.category());
        }
    }

    @Test
    void toolCallsSkipTextChecks() {
        // no text at all is fine for a tool call; it is neither EMPTY nor TOO_SHORT
        Transcript t = toolCall("{\"q\":\"x\"}", JsonExpectation.NONE);
        assertEquals("", t.text());
        assertPass(gate.judge(t));
    }

    @Test
    void configCanBeTuned() {
        GateConfig strict = GateConfig.DEFAULT.toBuilder().minMeanLogprob(-0.1).build();
        assertFalse(new QualityGate(strict).judge(finished(Samples.PROSE, confident(Samples.PROSE, 1))).pass());
        assertEquals(GateConfig.DEFAULT, GateConfig.DEFAULT.toBuilder().build());
    }
}
