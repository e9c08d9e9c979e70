package dev.echelon.speculation;

import java.util.Map;
import java.util.TreeMap;

/**
 * Acceptance observed for one role and task category: drafting passes and accepted tokens per draft length, with
 * older generations weighing less (each new one multiplies the past by {@code decay}), so that a shift in what the
 * category's prompts look like is followed. Not thread-safe: {@link DraftTuner} serialises access.
 */
final class AcceptanceEstimate {

    private final double decay;
    /** draft length → {passes, accepted, drafted} */
    private final TreeMap<Integer, double[]> byLength = new TreeMap<>();
    private double samples;
    private double tokens;

    AcceptanceEstimate(double decay) {
        this.decay = decay;
    }

    void add(DraftSample s) {
        for (double[] v : byLength.values()) {
            v[0] *= decay;
            v[1] *= decay;
            v[2] *= decay;
        }
        samples = samples * decay + 1;
        tokens = tokens * decay + s.predicted();
        if (!s.speculated() || s.nMax() < 1) {
            return;
        }
        double[] v = byLength.computeIfAbsent(s.nMax(), k -> new double[3]);
        v[0] += s.passes();
        v[1] += s.accepted();
        v[2] += s.drafted();
    }

    /** α explaining the accepted tokens per pass at the lengths drafted; NaN before any drafting pass. */
    double alpha() {
        int n = byLength.size();
        int[] lengths = new int[n];
        double[] passes = new double[n];
        double[] accepted = new double[n];
        int i = 0;
        for (Map.Entry<Integer, double[]> e : byLength.entrySet()) {
            lengths[i] = e.getKey();
            passes[i] = e.getValue()[0];
            accepted[i] = e.getValue()[1];
            i++;
        }
        return AcceptanceMath.alphaFrom(lengths, passes, accepted);
    }

    /** Decayed count of draft tokens proposed: how much evidence {@link #alpha()} rests on. */
    double drafted() {
        return byLength.values().stream().mapToDouble(v -> v[2]).sum();
    }

    double acceptedTokens() {
        return byLength.values().stream().mapToDouble(v -> v[1]).sum();
    }

    double passes() {
        return byLength.values().stream().mapToDouble(v -> v[0]).sum();
    }

    /** Decayed generated tokens: the category's share of the role's traffic. */
    double tokens() {
        return tokens;
    }

    double samples() {
        return samples;
    }
}
