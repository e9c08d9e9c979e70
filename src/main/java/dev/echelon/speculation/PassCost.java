package dev.echelon.speculation;

/**
 * What a target pass and a draft token cost on one role at one concurrency level, learnt from generation times:
 * {@code ms = passes · T + drafted · d} by least squares over recent generations, with a weak prior that d = c₀·T
 * (c₀ from the cost model, or the draft-to-target size ratio: decoding is memory-bound). The prior decides only
 * what the data cannot — when every generation drafted the same number of tokens per pass, T and d are not
 * separately identifiable. Not thread-safe: {@link DraftTuner} serialises access.
 */
final class PassCost {

    private final double decay;
    private final double priorRatio;
    private double spp;
    private double spd;
    private double sdd;
    private double spm;
    private double sdm;
    private double plainMs;
    private double plainPasses;

    PassCost(double decay, double priorRatio) {
        this.decay = decay;
        this.priorRatio = priorRatio;
    }

    void add(DraftSample s) {
        double p = s.passes();
        if (p <= 0 || s.ms() <= 0) {
            return;
        }
        spp = spp * decay + p * p;
        spd = spd * decay + p * s.drafted();
        sdd = sdd * decay + (double) s.drafted() * s.drafted();
        spm = spm * decay + p * s.ms();
        sdm = sdm * decay + s.drafted() * s.ms();
        plainMs *= decay;
        plainPasses *= decay;
        if (!s.speculated()) {
            plainMs += s.ms();
            plainPasses += p;
        }
    }

    boolean known() {
        return spp > 0;
    }

    /** [T, d]: milliseconds per target pass and per draft token. */
    private double[] solve() {
        double lambda = 0.05 * sdd + 1e-6 * spp;
        double c0 = priorRatio;
        double a11 = spp + lambda * c0 * c0;
        double a12 = spd - lambda * c0;
        double a22 = sdd + lambda;
        double det = a11 * a22 - a12 * a12;
        if (!(Math.abs(det) > 1e-12 * Math.max(1, a11 * a22))) {
            double t = spm / Math.max(spp, 1e-9);
            return new double[] {t, c0 * t};
        }
        double t = (spm * a22 - a12 * sdm) / det;
        double d = (a11 * sdm - a12 * spm) / det;
        if (t <= 0) {
            t = spm / Math.max(spp, 1e-9);
        }
        return new double[] {t, Math.max(0, d)};
    }

    /** c: a draft token's cost relative to a target pass. */
    double ratio() {
        if (!known()) {
            return priorRatio;
        }
        double[] x = solve();
        return Math.max(0.001, Math.min(1.0, x[1] / x[0]));
    }

    /** Milliseconds of one target pass (verification included). */
    double passMs() {
        return known() ? solve()[0] : Double.NaN;
    }

    /** Milliseconds per token measured without speculation, or NaN when every generation speculated. */
    double plainMsPerToken() {
        return plainPasses > 0 ? plainMs / plainPasses : Double.NaN;
    }
}
