package dev.echelon.residency.policy;

/**
 * The latency cost of one request, the quantity the offline optimum minimises and regret is measured in:
 *
 * <pre>cost = TTFT + decodeWeight · TPOT · (output tokens − 1) + (served by a fallback ? substitutionPenalty : 0)
 *        + tailWeight · max(0, TTFT − tailThreshold)</pre>
 *
 * TTFT is the headline; decode time still separates a placement that starts fast but streams slowly; a request
 * answered by its role's fallback (S6) pays a quality penalty in seconds, since the latency alone would make
 * substituting a big model by a smaller one look free. The defaults (¼, 30 s, no tail term) are the ones Echelon's
 * planner prices its plans with, so regret measures what the planner loses by not knowing the future, not a
 * different objective.
 *
 * <p>The tail term is off by default. It prices each second a request's TTFT runs past a threshold once more, for an
 * optimum aimed at a p95 target rather than at the mean ({@code TailReach}); regret is never measured with it.
 */
public record RequestCost(double decodeWeight, double substitutionPenaltySeconds, double tailThresholdSeconds,
        double tailWeight) {

    public static final RequestCost DEFAULT = new RequestCost(0.25, 30);

    public RequestCost {
        if (!(decodeWeight >= 0) || !(substitutionPenaltySeconds >= 0) || !(tailThresholdSeconds >= 0)
                || !(tailWeight >= 0) || Double.isInfinite(tailWeight)) {
            throw new IllegalArgumentException("cost weights and the tail threshold must be >= 0 (the tail weight "
                    + "finite): " + decodeWeight + ", " + substitutionPenaltySeconds + ", " + tailThresholdSeconds
                    + ", " + tailWeight);
        }
    }

    /** Without a tail term. */
    public RequestCost(double decodeWeight, double substitutionPenaltySeconds) {
        this(decodeWeight, substitutionPenaltySeconds, Double.POSITIVE_INFINITY, 0);
    }

    /** The same weights, plus {@code weight} per second of TTFT past {@code thresholdSeconds}. */
    public RequestCost aimedAtTail(double thresholdSeconds, double weight) {
        return new RequestCost(decodeWeight, substitutionPenaltySeconds, thresholdSeconds, weight);
    }

    public double of(double ttftSeconds, double tpotSeconds, int outputTokens, boolean substituted) {
        double tail = tailWeight > 0 && ttftSeconds > tailThresholdSeconds
                ? tailWeight * (ttftSeconds - tailThresholdSeconds) : 0;
        return ttftSeconds + decodeWeight * tpotSeconds * Math.max(0, outputTokens - 1)
                + (substituted ? substitutionPenaltySeconds : 0) + tail;
    }
}
