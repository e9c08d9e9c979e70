package dev.echelon.quality;

import java.util.List;

/**
 * Log-probability signals over a run of tokens. Package-private.
 *
 * @param tokens                tokens with a usable log-probability
 * @param meanLogprob           mean chosen-token log-probability ({@code NaN} without tokens)
 * @param lowFraction           fraction of tokens below {@link GateConfig#lowTokenLogprob()}
 * @param meanEntropy           mean estimated entropy over tokens with at least two alternatives ({@code NaN} if none)
 * @param meanAlternatives      mean number of alternatives reported per token
 */
record ConfidenceStats(int tokens, double meanLogprob, double lowFraction, double meanEntropy,
                       double meanAlternatives) {

    /** Log-probabilities below this are clamped (servers send -inf or -9999 for impossible tokens). */
    static final double FLOOR = -30.0;

    static ConfidenceStats of(List<TokenLogprob> tokens, GateConfig c) {
        int n = 0;
        int low = 0;
        double sum = 0;
        int ne = 0;
        double sumE = 0;
        long alts = 0;
        for (TokenLogprob t : tokens) {
            if (!t.hasLogprob()) {
                continue;
            }
            double lp = Math.max(FLOOR, Math.min(0.0, t.logprob()));
            n++;
            sum += lp;
            if (lp < c.lowTokenLogprob()) {
                low++;
            }
            alts += t.top().size();
            double h = t.entropyEstimate();
            if (!Double.isNaN(h)) {
                ne++;
                sumE += h;
            }
        }
        return new ConfidenceStats(n,
                n == 0 ? Double.NaN : sum / n,
                n == 0 ? Double.NaN : (double) low / n,
                ne == 0 ? Double.NaN : sumE / ne,
                n == 0 ? 0 : (double) alts / n);
    }

    /** The first threshold this run breaks, described; null when confident (or too few tokens to say). */
    String lowConfidenceReason(GateConfig c, int minTokens) {
        if (tokens < minTokens) {
            return null;
        }
        if (meanLogprob < c.minMeanLogprob()) {
            return String.format("mean logprob %.2f < %.2f over %d tokens", meanLogprob, c.minMeanLogprob(), tokens);
        }
        if (lowFraction > c.maxLowConfidenceFraction()) {
            return String.format("%.0f%% of %d tokens below logprob %.1f (max %.0f%%)", lowFraction * 100, tokens,
                    c.lowTokenLogprob(), c.maxLowConfidenceFraction() * 100);
        }
        if (!Double.isNaN(meanEntropy) && meanAlternatives >= c.entropyMinAlternatives()
                && meanEntropy > c.maxMeanEntropy()) {
            return String.format("mean entropy %.2f > %.2f nats over %d tokens", meanEntropy, c.maxMeanEntropy(),
                    tokens);
        }
        return null;
    }
}
