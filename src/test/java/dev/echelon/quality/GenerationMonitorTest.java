package dev.echelon.quality;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationMonitorTest {

    /** Feeds tokens; returns the index of the token that raised the failure, or -1. */
    private static int feed(GenerationMonitor m, List<TokenLogprob> tokens, List<Failure> raised) {
        int at = -1;
        for (int i = 0; i < tokens.size(); i++) {
            Optional<Failure> f = m.onToken(tokens.get(i));
            if (f.isPresent()) {
                raised.add(f.get());
                if (at < 0) {
                    at = i;
                }
            }
        }
        return at;
    }

    @Test
    void neverFiresOnNormalOutput() {
        String all = Samples.PROSE + Samples.CODE + Samples.TABLE + Samples.JSON_ARRAY + Samples.PROSE;
        for (long seed = 1; seed <= 5; seed++) {
            GenerationMonitor m = new GenerationMonitor();
            List<Failure> raised = new ArrayList<>();
            assertEquals(-1, feed(m, Samples.confident(all, seed), raised), () -> raised + " " + m.reason());
            assertTrue(m.failure().isEmpty());
        }
        // text pieces without log-probabilities, cut at odd places
        GenerationMonitor m = new GenerationMonitor();
        for (int i = 0; i < all.length(); i += 3) {
            assertTrue(m.onText(all.substring(i, Math.min(all.length(), i + 3))).isEmpty(), m.reason());
        }
    }

    @Test
    void stopsAConfidentLoopWithinABoundedNumberOfTokens() {
        List<TokenLogprob> prose = Samples.confident(Samples.PROSE, 3);
        String block = " I will now repeat the answer to make sure it is clear.";
        List<TokenLogprob> loop = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            for (String t : Samples.split(block)) {
                loop.add(new TokenLogprob(t, -0.01, List.of(new TokenLogprob.Alternative(t, -0.01),
                        new TokenLogprob.Alternative(" else", -6.0))));
            }
        }
        List<TokenLogprob> all = new ArrayList<>(prose);
        all.addAll(loop);
        GenerationMonitor m = new GenerationMonitor();
        List<Failure> raised = new ArrayList<>();
        int at = feed(m, all, raised);
        int afterStart = at - prose.size();
        int blockTokens = Samples.split(block).size();
        assertEquals(List.of(Failure.REPETITION), raised, "raised exactly once");
        assertTrue(afterStart > blockTokens, "not before the block repeated: " + afterStart);
        // block of 13 units, long period: 3 repeats suffice
        assertTrue(afterStart <= 3 * blockTokens + 2, "detected " + afterStart + " tokens into the loop");
        assertEquals(Optional.of(Failure.REPETITION), m.failure());
        assertTrue(m.reason().contains("repeats"), m.reason());
    }

    @Test
    void stopsAShortPeriodLoopWithinTheMinimumSpan() {
        GenerationMonitor m = new GenerationMonitor();
        List<Failure> raised = new ArrayList<>();
        List<TokenLogprob> toks = new ArrayList<>(Samples.confident("Here is the code:\n", 1));
        int start = toks.size();
        for (int i = 0; i < 50; i++) {
            toks.addAll(Samples.confident("\n        result = result + value", i));
        }
        int at = feed(m, toks, raised);
        assertEquals(List.of(Failure.REPETITION), raised);
        assertTrue(at - start <= GateConfig.DEFAULT.repeatMinSpan() + 6, "detected at " + (at - start));
    }

    @Test
    void stopsALoopFedAsTextPieces() {
        GenerationMonitor m = new GenerationMonitor();
        int fired = -1;
        String piece = "Memory is fast but ";
        for (int i = 0; i < 30 && fired < 0; i++) {
            if (m.onText(piece).isPresent()) {
                fired = i;
            }
        }
        assertTrue(fired > 0 && fired <= 10, "fired at repeat " + fired);
    }

    @Test
    void detectsAConfidenceExplosion() {
        GenerationMonitor m = new GenerationMonitor();
        List<TokenLogprob> good = Samples.confident(Samples.PROSE, 2);
        List<TokenLogprob> bad = Samples.unsure(Samples.PROSE, 2);
        List<TokenLogprob> all = new ArrayList<>(good);
        all.addAll(bad);
        List<Failure> raised = new ArrayList<>();
        int at = feed(m, all, raised);
        assertEquals(List.of(Failure.LOW_CONFIDENCE), raised);
        int into = at - good.size();
        assertTrue(into > 0 && into <= GateConfig.DEFAULT.monitorWindow(), "detected " + into + " tokens in");
    }

    @Test
    void detectsAnEntropyCollapse() {
        // near-certain tokens cycling through a handful of words without a fixed period
        Random r = new Random(5);
        String[] words = {" ok", " fine", " sure", " yes", " right"};
        GenerationMonitor m = new GenerationMonitor();
        List<TokenLogprob> toks = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String w = words[r.nextInt(words.length)];
            toks.add(new TokenLogprob(w, -0.001, List.of(new TokenLogprob.Alternative(w, -0.001),
                    new TokenLogprob.Alternative(" no", -9), new TokenLogprob.Alternative(" maybe", -9.5))));
        }
        List<Failure> raised = new ArrayList<>();
        int at = feed(m, toks, raised);
        assertEquals(List.of(Failure.REPETITION), raised);
        assertTrue(at < 2 * GateConfig.DEFAULT.monitorWindow(), "at " + at);
    }

    @Test
    void confidentRepetitiveButVariedCodeIsNotACollapse() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            sb.append("    assertEquals(").append(i * i).append(", square(").append(i).append("));\n");
        }
        List<TokenLogprob> toks = new ArrayList<>();
        for (String t : Samples.split(sb.toString())) {
            toks.add(new TokenLogprob(t, -0.01, List.of(new TokenLogprob.Alternative(t, -0.01),
                    new TokenLogprob.Alternative(" x", -7))));
        }
        GenerationMonitor m = new GenerationMonitor();
        List<Failure> raised = new ArrayList<>();
        assertEquals(-1, feed(m, toks, raised), () -> raised + " " + m.reason());
    }
}
