package dev.echelon.residency.policy;

/**
 * The latency cost of one request, the quantity the offline optimum minimises and regret is measured in:
 *
 * <pre>cost = TTFT + decodeWeight · TPOT · (output tokens − 1) + (served by a fallback ? substitutionPenalty : 0)</pre>
 *
 * TTFT is the headline; decode time still separates a placement that starts fast but streams slowly; a request
 * answered by its role's fallback (S6) pays a quality penalty in seconds, since the latency alone would make
 * substituting a big model by a smaller one look free. The defaults (¼, 30 s) are the ones Echelon's planner prices
 * its plans with, so regret measures what the planner loses by not knowing the future, not a different objective.
 */
public record RequestCost(double decodeWeight, double substitutionPenaltySeconds) {

    public static final RequestCost DEFAULT = new RequestCost(0.25, 30);

    public RequestCost {
        if (decodeWeight < 0 || substitutionPenaltySeconds < 0) {
            throw new IllegalArgumentException("cost weights must be >= 0: " + decodeWeight + ", "
                    + substitutionPenaltySeconds);
        }
    }

    public double of(double ttftSeconds, double tpotSeconds, int outputTokens, boolean substituted) {
        return ttftSeconds + decodeWeight * tpotSeconds * Math.max(0, outputTokens - 1)
                + (substituted ? substitutionPenaltySeconds : 0);
    }
}
