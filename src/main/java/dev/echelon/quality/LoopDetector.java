package dev.echelon.quality;

import java.util.function.Consumer;

/**
 * Detects a runaway loop — the same block of units repeated back to back — incrementally, in O(maxPeriod) per unit.
 *
 * <p>For each period p (1..maxPeriod) it keeps, over the last C(p) units, how many equal the unit p positions
 * earlier. C(p) = max((r(p) − 1)·p, minSpan − p), where r(p) is the repeat count that makes a loop
 * ({@code repeatMinCount}, or {@code repeatMinCountLongPeriod} for long blocks): a block repeated r(p) times back
 * to back, spanning at least minSpan units, fills that window with matches. A loop is declared when the window is
 * full and at least {@code repeatSimilarity} of it matches (so a counter that changes in each repetition does not
 * hide the loop). Package-private.
 */
final class LoopDetector implements Consumer<String> {

    private final int maxPeriod;
    private final double similarity;
    private final String[] history;      // ring of the last maxPeriod units
    private final int[] need;            // C(p), index p
    private final boolean[][] bits;      // per p: ring of match bits of size C(p)
    private final int[] matches;         // per p: matches in the ring
    private long seen;                   // units fed
    private double bestScore;
    private int loopPeriod;              // 0 = none found
    private long loopAtUnit = -1;

    LoopDetector(GateConfig c) {
        this.maxPeriod = c.repeatMaxPeriod();
        this.similarity = c.repeatSimilarity();
        this.history = new String[maxPeriod];
        this.need = new int[maxPeriod + 1];
        this.bits = new boolean[maxPeriod + 1][];
        this.matches = new int[maxPeriod + 1];
        for (int p = 1; p <= maxPeriod; p++) {
            int r = p >= c.repeatLongPeriod() ? c.repeatMinCountLongPeriod() : c.repeatMinCount();
            need[p] = Math.max((r - 1) * p, c.repeatMinSpan() - p);
            bits[p] = new boolean[need[p]];
        }
    }

    /** Feeds one unit. */
    @Override
    public void accept(String unit) {
        long i = seen; // index of this unit
        for (int p = 1; p <= maxPeriod && p <= i; p++) {
            String earlier = history[(int) ((i - p) % maxPeriod)];
            boolean m = unit.equals(earlier);
            // comparisons made so far for period p: i - p + 1 (this one included)
            long k = i - p;          // index of this comparison
            int slot = (int) (k % need[p]);
            if (k >= need[p] && bits[p][slot]) {
                matches[p]--;
            }
            bits[p][slot] = m;
            if (m) {
                matches[p]++;
            }
            if (k + 1 >= need[p]) {
                double score = (double) matches[p] / need[p];
                if (score > bestScore) {
                    bestScore = score;
                }
                if (loopPeriod == 0 && score >= similarity) {
                    loopPeriod = p;
                    loopAtUnit = i;
                }
            }
        }
        history[(int) (i % maxPeriod)] = unit;
        seen++;
    }

    /** Whether a loop has been seen. */
    boolean looping() {
        return loopPeriod > 0;
    }

    /** Period (in units) of the first loop seen, 0 if none. */
    int loopPeriod() {
        return loopPeriod;
    }

    /** Unit index at which the first loop was declared, -1 if none. */
    long loopAtUnit() {
        return loopAtUnit;
    }

    /** Highest window match fraction seen over any period (0 = no repetition, 1 = a perfect loop). */
    double score() {
        return bestScore;
    }

    long unitsSeen() {
        return seen;
    }

    /** Runs a fresh detector over a whole text. */
    static LoopDetector scan(GateConfig c, String text) {
        LoopDetector d = new LoopDetector(c);
        QualityText.UnitSplitter sp = new QualityText.UnitSplitter();
        sp.feed(text, d);
        sp.flush(d);
        return d;
    }
}
