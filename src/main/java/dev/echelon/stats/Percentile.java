package dev.echelon.stats;

/** Percentiles as the latency tables report them: nearest rank, so every value reported is one that was measured. */
public final class Percentile {

    private Percentile() {
    }

    /** The nearest-rank {@code q}-quantile (0 < q ≤ 1) of ascending {@code sorted}; 0 when there are no values. */
    public static double nearestRank(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
