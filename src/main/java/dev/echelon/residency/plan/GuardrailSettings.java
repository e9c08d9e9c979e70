package dev.echelon.residency.plan;

/**
 * Limits on how often placements change.
 *
 * @param dwellSeconds            a role that changed is left alone this long, except to promote it while requests
 *                                queue for it
 * @param windowSeconds           the sliding window of the anti-thrash cap
 * @param maxTransitionsPerWindow at most this many transitions start within any window (urgent loads of a role
 *                                with waiting requests bypass the cap, but are counted)
 */
public record GuardrailSettings(double dwellSeconds, double windowSeconds, int maxTransitionsPerWindow) {

    /**
     * 30 s dwell: longer than the slowest load on the shipped registry (~4 s for the 32B coder from NVMe) many times
     * over, shorter than the 60 s planning horizon, so a real shift is followed within one horizon. At most 6
     * transitions per 60 s: enough for a full swap of the GPU (demote two, promote two) plus slack.
     */
    public static final GuardrailSettings DEFAULTS = new GuardrailSettings(30, 60, 6);

    public GuardrailSettings {
        if (dwellSeconds < 0 || !(windowSeconds > 0) || maxTransitionsPerWindow < 1) {
            throw new IllegalArgumentException("guardrails: dwell >= 0, window > 0 and max >= 1 expected: "
                    + dwellSeconds + ", " + windowSeconds + ", " + maxTransitionsPerWindow);
        }
    }
}
