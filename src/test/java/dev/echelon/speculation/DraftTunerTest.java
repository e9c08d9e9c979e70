package dev.echelon.speculation;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tuner against a small simulation of a speculating server written here: per pass, a geometric run of accepted
 * drafts truncated at k, the pass costing T + k·d milliseconds. The tuner sees only the timings such a server reports.
 */
class DraftTunerTest {

    static final double T = 50;

    /** One generation of {@code tokens} tokens at length k, as timings would report it. */
    static DraftSample generate(SplittableRandom r, double alpha, double c, int k, int tokens) {
        int produced = 1;
        int drafted = 0;
        int accepted = 0;
        double ms = 0;
        while (produced < tokens) {
            int kk = Math.min(k, tokens - produced - 1);
            int a = 0;
            while (a < kk && r.nextDouble() < alpha) {
                a++;
            }
            drafted += Math.max(0, kk);
            accepted += a;
            produced += a + 1;
            ms += T + Math.max(0, kk) * c * T;
        }
        return new DraftSample(k, produced, ms, drafted, accepted, 1);
    }

    static DraftTuner tuner(double priorC) {
        return new DraftTuner(DraftTuner.Settings.DEFAULTS, role -> priorC, role -> 8);
    }

    @Test
    void perRequestLengthsConvergeToTheAnalyticOptimumPerCategory() {
        SplittableRandom r = new SplittableRandom(7);
        DraftTuner t = tuner(0.05); // a wrong prior: the true c is 0.1
        double c = 0.1;
        for (int i = 0; i < 120; i++) {
            for (String cat : new String[] {"code", "prose"}) {
                double alpha = cat.equals("code") ? 0.85 : 0.35;
                DraftTuner.Choice ch = t.perRequest("coder", cat, 1);
                t.record("coder", cat, generate(r, alpha, c, ch.nMax(), 160));
            }
        }
        assertEquals(0.85, t.measuredAlpha("coder", "code").orElseThrow(), 0.04);
        assertEquals(0.35, t.measuredAlpha("coder", "prose").orElseThrow(), 0.05);
        assertEquals(c, t.measuredRatio("coder"), 0.02, "exploring neighbouring lengths makes c measurable");
        int codeK = t.perRequest("coder", "code", 1).nMax();
        int proseK = t.perRequest("coder", "prose", 1).nMax();
        assertTrue(Math.abs(codeK - AcceptanceMath.bestLength(0.85, c, 16)) <= 1, "code k " + codeK);
        assertTrue(Math.abs(proseK - AcceptanceMath.bestLength(0.35, c, 16)) <= 1, "prose k " + proseK);
    }

    @Test
    void beforeAnyEvidenceTheRegistryLengthIsUsed() {
        DraftTuner.Choice ch = tuner(0.05).perRequest("coder", "code", 1);
        assertEquals(8, ch.nMax());
        assertTrue(ch.reason().contains("no acceptance measured"), ch.reason());
    }

    @Test
    void perInstanceRetunesOnceWithHysteresis() {
        SplittableRandom r = new SplittableRandom(11);
        double c = 0.1;
        DraftTuner t = tuner(c);
        t.record("coder", "code", generate(r, 0.3, c, 8, 200));
        Optional<DraftTuner.Retune> first = t.perInstance("coder", 8, 0);
        assertTrue(first.isPresent(), "length 8 at α 0.3 wastes most of each pass");
        assertEquals(AcceptanceMath.bestLength(0.3, c, 16), first.get().nMax(), 1);
        assertTrue(first.get().predictedGain() > DraftTuner.Settings.DEFAULTS.retuneGain());
        // within the retune interval nothing more is proposed, however the evidence moves
        for (int i = 0; i < 10; i++) {
            t.record("coder", "code", generate(r, 0.9, c, first.get().nMax(), 200));
        }
        assertTrue(t.perInstance("coder", first.get().nMax(), 30_000).isEmpty());
        assertTrue(t.perInstance("coder", first.get().nMax(), 61_000).isPresent(), "after the interval it follows");
    }

    @Test
    void perInstanceKeepsALengthWhoseGainIsSmall() {
        SplittableRandom r = new SplittableRandom(3);
        double c = 0.1;
        DraftTuner t = tuner(c);
        int k = AcceptanceMath.bestLength(0.7, c, 16);
        for (int i = 0; i < 5; i++) {
            t.record("coder", "code", generate(r, 0.7, c, k + 1, 200));
        }
        assertTrue(t.perInstance("coder", k + 1, 0).isEmpty(), "one off the optimum is within the hysteresis band");
    }

    @Test
    void draftingIsTurnedOffWhereItLosesAndRetriedLater() {
        SplittableRandom r = new SplittableRandom(5);
        double c = 0.3;
        DraftTuner t = tuner(c);
        for (int i = 0; i < 3; i++) {
            t.record("coder", "chat", generate(r, 0.05, c, 4, 200));
        }
        DraftTuner.Retune off = t.perInstance("coder", 4, 0).orElseThrow();
        assertEquals(0, off.nMax(), off.reason());
        assertTrue(t.perInstance("coder", 0, 120_000).isEmpty(), "off stays off for a while");
        DraftTuner.Retune retry = t.perInstance("coder", 0, 700_000).orElseThrow();
        assertTrue(retry.nMax() > 0 && retry.reason().contains("measuring acceptance again"), retry.reason());
    }
}
