package dev.echelon.residency.plan;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

class MultipleChoiceKnapsackTest {

    @Test
    void picksTheCheapestCombinationThatFits() {
        // two groups; the cheapest options collide on resource 1, so the optimum mixes
        int[][] w1 = {{6, 3, 0}, {6, 2, 0}};
        int[][] w2 = {{0, 2, 5}, {0, 3, 5}};
        double[][] c = {{1, 4, 9}, {2, 3, 9}};
        MultipleChoiceKnapsack.Solution s = new MultipleChoiceKnapsack().solve(w1, w2, c, 8, 6);
        assertNotNull(s);
        assertArrayEquals(new int[] {0, 1}, s.choice());
        assertEquals(4.0, s.cost(), 1e-12);
    }

    @Test
    void reportsInfeasibility() {
        int[][] w1 = {{3}, {3}};
        int[][] w2 = {{0}, {0}};
        double[][] c = {{1}, {1}};
        assertNull(new MultipleChoiceKnapsack().solve(w1, w2, c, 5, 0));
        assertNull(new MultipleChoiceKnapsack().solve(new int[][] {{0}}, new int[][] {{0}},
                new double[][] {{Double.POSITIVE_INFINITY}}, 5, 5));
    }

    @Test
    void equalsBruteForceOnRandomInstances() {
        MultipleChoiceKnapsack solver = new MultipleChoiceKnapsack(); // reused: buffers must not leak between solves
        qt().withFixedSeed(20261121L).withExamples(500).forAll(integers().between(1, 5), longs().all()).checkAssert((groups, seed) -> {
            Random rnd = new Random(seed);
            int cap1 = rnd.nextInt(25);
            int cap2 = rnd.nextInt(25);
            int[][] w1 = new int[groups][];
            int[][] w2 = new int[groups][];
            double[][] c = new double[groups][];
            for (int g = 0; g < groups; g++) {
                int k = 1 + rnd.nextInt(6);
                w1[g] = new int[k];
                w2[g] = new int[k];
                c[g] = new double[k];
                for (int o = 0; o < k; o++) {
                    w1[g][o] = rnd.nextInt(cap1 / 2 + 3);
                    w2[g][o] = rnd.nextInt(cap2 / 2 + 3);
                    c[g][o] = rnd.nextInt(8) == 0 ? Double.POSITIVE_INFINITY : rnd.nextInt(4) * 1.5 + rnd.nextDouble();
                }
            }
            double best = bruteForce(w1, w2, c, cap1, cap2, 0, 0, 0, 0);
            MultipleChoiceKnapsack.Solution s = solver.solve(w1, w2, c, cap1, cap2);
            if (Double.isInfinite(best)) {
                assertNull(s);
                return;
            }
            assertNotNull(s, "a feasible instance has a solution");
            assertEquals(best, s.cost(), 1e-9);
            int a = 0;
            int b = 0;
            double total = 0;
            for (int g = 0; g < groups; g++) {
                a += w1[g][s.choice()[g]];
                b += w2[g][s.choice()[g]];
                total += c[g][s.choice()[g]];
            }
            assertTrue(a <= cap1 && b <= cap2, "choice fits");
            assertEquals(s.cost(), total, 1e-9, "reported cost is the choice's cost");
        });
    }

    private static double bruteForce(int[][] w1, int[][] w2, double[][] c, int cap1, int cap2, int g, int a, int b,
            double cost) {
        if (a > cap1 || b > cap2) {
            return Double.POSITIVE_INFINITY;
        }
        if (g == c.length) {
            return cost;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int o = 0; o < c[g].length; o++) {
            best = Math.min(best, bruteForce(w1, w2, c, cap1, cap2, g + 1, a + w1[g][o], b + w2[g][o], cost + c[g][o]));
        }
        return best;
    }
}
