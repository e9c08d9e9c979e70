package dev.echelon.supervisor;

/**
 * How one role's servers speculate, as their command line says: with a draft model, with draft-free n-gram lookup, or
 * not at all. Per-instance adaptation changes it (a relaunch applies it); the registry's pairing is the start.
 *
 * @param nMax draft length: {@code --spec-draft-n-max} for a draft, the n-gram draft size for lookup
 * @param nMin {@code --spec-draft-n-min}
 * @param pMin {@code --spec-draft-p-min}
 */
public record SpeculationLaunch(Mode mode, int nMax, int nMin, double pMin) {

    public enum Mode {
        /** {@code -md} with the paired Tier D draft. */
        DRAFT,
        /** {@code --spec-type ngram-simple}: drafts from the context's own n-grams, no draft model (v0.5.0 only). */
        NGRAM,
        /** No speculation. */
        OFF
    }

    public static final SpeculationLaunch OFF = new SpeculationLaunch(Mode.OFF, 0, 0, 0);

    public SpeculationLaunch {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        if (nMax < 0 || nMin < 0 || nMin > Math.max(nMax, 0) || !(pMin >= 0 && pMin <= 1)) {
            throw new IllegalArgumentException("need 0 <= n_min <= n_max and 0 <= p_min <= 1: " + nMax + "/" + nMin
                    + "/" + pMin);
        }
        if (mode != Mode.OFF && nMax < 1) {
            throw new IllegalArgumentException(mode + " speculation needs n_max >= 1");
        }
    }

    public static SpeculationLaunch draft(int nMax, int nMin, double pMin) {
        return new SpeculationLaunch(Mode.DRAFT, nMax, Math.min(nMin, nMax), pMin);
    }

    public static SpeculationLaunch ngram(int nMax) {
        return new SpeculationLaunch(Mode.NGRAM, nMax, 0, 0);
    }

    public SpeculationLaunch withNMax(int n) {
        return new SpeculationLaunch(mode, n, Math.min(nMin, n), pMin);
    }

    @Override
    public String toString() {
        return switch (mode) {
            case OFF -> "off";
            case NGRAM -> "ngram(n_max=" + nMax + ")";
            case DRAFT -> "draft(n_max=" + nMax + ", n_min=" + nMin + ", p_min=" + pMin + ")";
        };
    }
}
