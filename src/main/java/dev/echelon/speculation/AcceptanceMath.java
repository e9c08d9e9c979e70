package dev.echelon.speculation;

import dev.echelon.cost.CostModel;

/**
 * The arithmetic of draft-model speculation with per-token acceptance α (Leviathan et al. 2023): a pass drafts
 * {@code k} tokens, the target verifies them in one forward pass and keeps the accepted prefix plus one token of its
 * own. With c the cost of a draft token relative to a target pass, the speedup over plain decoding is
 * (1 − α^(k+1)) / ((1 − α)(k·c + 1)).
 */
public final class AcceptanceMath {

    private AcceptanceMath() {
    }

    /** Expected tokens per target pass: (1 − α^(k+1)) / (1 − α); 1 for k = 0. */
    public static double tokensPerPass(double alpha, int k) {
        return CostModel.expectedTokensPerPass(alpha, k);
    }

    /** Expected accepted draft tokens per pass: the drafted run up to the first rejection, at most k. */
    public static double acceptedPerPass(double alpha, int k) {
        return tokensPerPass(alpha, k) - 1;
    }

    /** Speedup over plain decoding of drafting {@code k} tokens at relative draft cost {@code c}; 1 for k = 0. */
    public static double speedup(double alpha, int k, double c) {
        return k <= 0 ? 1.0 : tokensPerPass(alpha, k) / (k * c + 1);
    }

    /** k* = argmax over 0..kMax of {@link #speedup}; 0 when no draft length beats plain decoding. */
    public static int bestLength(double alpha, double c, int kMax) {
        int best = 0;
        double bestSpeedup = 1.0;
        for (int k = 1; k <= kMax; k++) {
            double s = speedup(alpha, k, c);
            if (s > bestSpeedup + 1e-12) {
                best = k;
                bestSpeedup = s;
            }
        }
        return best;
    }

    /**
     * The α that explains observed acceptance: solves Σ_k passes_k · acceptedPerPass(α, k) = Σ_k accepted_k for α
     * by bisection (the left side grows with α). A method-of-moments estimate that pools passes drafted at different
     * lengths; the truncation at k (a pass cannot accept more than it drafted) is part of the model, so a short
     * draft length does not bias α down.
     *
     * @param lengths  draft length of each group
     * @param passes   drafting passes of each group
     * @param accepted accepted tokens of each group
     * @return α in [0.001, 0.999], or NaN when there are no passes
     */
    public static double alphaFrom(int[] lengths, double[] passes, double[] accepted) {
        double observed = 0;
        double anyPasses = 0;
        for (int i = 0; i < lengths.length; i++) {
            observed += accepted[i];
            anyPasses += passes[i];
        }
        if (anyPasses <= 0) {
            return Double.NaN;
        }
        double lo = 0.001;
        double hi = 0.999;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            double expected = 0;
            for (int i = 0; i < lengths.length; i++) {
                expected += passes[i] * acceptedPerPass(mid, lengths[i]);
            }
            if (expected < observed) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }
}
