package dev.echelon.speculation;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;

class AcceptanceMathTest {

    @Test
    void tokensPerPassFollowsTheGeometricSeries() {
        assertEquals(1.0, AcceptanceMath.tokensPerPass(0.7, 0), 1e-12);
        assertEquals(1 + 0.5, AcceptanceMath.tokensPerPass(0.5, 1), 1e-12);
        assertEquals(1 + 0.5 + 0.25 + 0.125, AcceptanceMath.tokensPerPass(0.5, 3), 1e-12);
        assertEquals(0.5 + 0.25 + 0.125, AcceptanceMath.acceptedPerPass(0.5, 3), 1e-12);
    }

    @Test
    void bestLengthMatchesABruteForceReading() {
        // (1 − α^(k+1)) / ((1 − α)(k·c + 1)): worked by hand for the bench's corner cells
        assertEquals(1, AcceptanceMath.bestLength(0.3, 0.1, 16));
        assertEquals(2, AcceptanceMath.bestLength(0.5, 0.1, 16));
        assertEquals(10, AcceptanceMath.bestLength(0.9, 0.1, 16));
        assertEquals(16, AcceptanceMath.bestLength(0.9, 0.02, 16), "capped at kMax");
        assertEquals(0, AcceptanceMath.bestLength(0.05, 0.2, 16), "no length beats plain decoding");
        assertEquals(1.0, AcceptanceMath.speedup(0.9, 0, 0.1), 1e-12);
    }

    @Test
    void bestLengthIsTheArgmaxOfTheSpeedup() {
        qt().withFixedSeed(20261121L).forAll(doubles().between(0.01, 0.99), doubles().between(0.001, 0.5))
                .checkAssert((alpha, c) -> {
                    int k = AcceptanceMath.bestLength(alpha, c, 16);
                    double best = AcceptanceMath.speedup(alpha, k, c);
                    for (int j = 0; j <= 16; j++) {
                        assertTrue(AcceptanceMath.speedup(alpha, j, c) <= best + 1e-9, "k=" + j + " beats k*=" + k);
                    }
                });
    }

    @Test
    void alphaIsRecoveredFromExpectedAcceptanceAtMixedLengths() {
        qt().withFixedSeed(20261121L).forAll(doubles().between(0.02, 0.98), integers().between(1, 16),
                integers().between(1, 16)).checkAssert((alpha, k1, k2) -> {
                    double[] passes = {100, 37};
                    double[] accepted = {100 * AcceptanceMath.acceptedPerPass(alpha, k1),
                            37 * AcceptanceMath.acceptedPerPass(alpha, k2)};
                    double est = AcceptanceMath.alphaFrom(new int[] {k1, k2}, passes, accepted);
                    assertEquals(alpha, est, 1e-6);
                });
    }

    @Test
    void noPassesGiveNoEstimate() {
        assertTrue(Double.isNaN(AcceptanceMath.alphaFrom(new int[0], new double[0], new double[0])));
    }
}
