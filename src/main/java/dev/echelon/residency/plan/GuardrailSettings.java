package dev.echelon.residency.plan;

/**
 * Limits on how often placements change.
 *
 * @param dwellSeconds            a role that changed is left alone this long, except to promote it while requests
 *                                queue for it
 * @param windowSeconds           the sliding window of the anti-thrash cap
 * @param maxTransitionsPerWindow at most this many transitions start within any window (urgent loads of a role
 *                                with waiting requests bypass the cap, but are counted)
 * @param flapWindowSeconds       how far back reversals (a promotion after a demotion of the same role, or the
 *                                reverse) count towards flap damping
 * @param maxDwellDoublings       each reversal within the flap window doubles the role's dwell, at most this often
 * @param maxSwapsPerPair         within any flap window, one role is evicted to make room for another, or
 *                                substituted onto it and taken back (either way round), at most this often
 *                                ({@link SwapBudget}, applied by the planner's reactive core); 0: no bound
 */
public record GuardrailSettings(double dwellSeconds, double windowSeconds, int maxTransitionsPerWindow,
        double flapWindowSeconds, int maxDwellDoublings, int maxSwapsPerPair) {

    /**
     * Swaps of one pair per flap window by default: above what demand-driven swapping needs on the simulator's traces
     * (the coder, which fills the GPU, and the worker, which cannot substitute for it, swap up to 15 times in
     * 10 minutes on steady traffic, seeds 42, 7 and 11; a budget of 12 or 8 there leaves one of them on the CPU and
     * costs 10–20 × in p95 TTFT on workday and drift), far below a swap every few seconds, which a fast alternation
     * caused without it (bench/residency/README.md, residency-round7).
     */
    public static final int DEFAULT_SWAPS_PER_PAIR = 16;

    /**
     * 30 s dwell: longer than the slowest load on the shipped registry (~4 s for the 32B coder from NVMe) many times
     * over, shorter than the 60 s planning horizon, so a real shift is followed within one horizon. At most 8
     * transitions per 60 s: a full swap of the GPU (demote two, promote two) twice over. 8, not 6, because over
     * sixteen seeds 6 changed one run of 96, for the worse (workday seed 47, regret 5.6 → 8.6 %; bench/residency,
     * residency-round40), and 8 is what deployments had always run. Flap damping over 10 minutes, up to 8 × the
     * dwell (4 minutes) for a role that keeps reversing.
     */
    public static final GuardrailSettings DEFAULTS = new GuardrailSettings(30, 60, 8, 600, 3);

    /** With the default swap budget per pair ({@link #DEFAULT_SWAPS_PER_PAIR}). */
    public GuardrailSettings(double dwellSeconds, double windowSeconds, int maxTransitionsPerWindow,
            double flapWindowSeconds, int maxDwellDoublings) {
        this(dwellSeconds, windowSeconds, maxTransitionsPerWindow, flapWindowSeconds, maxDwellDoublings,
                DEFAULT_SWAPS_PER_PAIR);
    }

    public GuardrailSettings {
        if (dwellSeconds < 0 || !(windowSeconds > 0) || maxTransitionsPerWindow < 1 || flapWindowSeconds < 0
                || maxDwellDoublings < 0 || maxDwellDoublings > 20 || maxSwapsPerPair < 0) {
            throw new IllegalArgumentException("guardrails: dwell >= 0, window > 0, max >= 1, flap window >= 0, "
                    + "0..20 doublings and swaps >= 0 expected: " + dwellSeconds + ", " + windowSeconds + ", "
                    + maxTransitionsPerWindow + ", " + flapWindowSeconds + ", " + maxDwellDoublings + ", "
                    + maxSwapsPerPair);
        }
    }

    /** Without flap damping and without a swap budget. */
    public GuardrailSettings(double dwellSeconds, double windowSeconds, int maxTransitionsPerWindow) {
        this(dwellSeconds, windowSeconds, maxTransitionsPerWindow, 0, 0, 0);
    }

    /**
     * The dwell for a role that reversed direction {@code reversals} times within the flap window: doubled per
     * reversal, up to {@code maxDwellDoublings} times (route-flap damping).
     */
    public double dwellAfter(int reversals) {
        return dwellSeconds * (1L << Math.min(Math.max(0, reversals), maxDwellDoublings));
    }
}
