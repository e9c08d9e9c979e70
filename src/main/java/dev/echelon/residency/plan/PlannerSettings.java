package dev.echelon.residency.plan;

/**
 * What the {@link Planner} optimises and how finely.
 *
 * @param horizonSeconds             H: the plan is priced over the requests expected in the next H seconds
 * @param promptTokens               reference request: prompt length (drives TTFT through prefill speed)
 * @param outputTokens               reference request: answer length (drives decode time and slot occupancy)
 * @param tpotWeight                 weight of decode time (TPOT × (output − 1)) next to TTFT in a request's cost;
 *                                   TTFT is the headline metric, decode time still separates a placement that starts
 *                                   fast but streams slowly
 * @param substitutionPenaltySeconds extra cost per request served by the fallback role (S6): a quality penalty in
 *                                   seconds, large so that S6 is chosen only for near-idle roles under pressure
 * @param switchingPenaltySeconds    flat cost per changed role: amortises disruption the time model does not see and
 *                                   makes staying win every tie
 * @param tickSeconds                planning interval: {@link EchelonPlanner#onTick} replans at most this often
 * @param gpuCells                   GPU budget grid: the budget is cut into this many cells (bytes round up)
 * @param hostCells                  host-RAM budget grid, likewise
 */
public record PlannerSettings(double horizonSeconds, int promptTokens, int outputTokens, double tpotWeight,
        double substitutionPenaltySeconds, double switchingPenaltySeconds, double tickSeconds, int gpuCells,
        int hostCells) {

    /**
     * H = 60 s (long enough to amortise a multi-GB load, short enough to follow a shift); a 512-token prompt and a
     * 256-token answer; decode time at a quarter of TTFT's weight; S6 costs 30 s per request; 2 s per change.
     *
     * <p>Grid: 192 GPU cells × 128 host cells. On the shipped 24 GiB / 64 GiB machine that is 128 MiB / 512 MiB per
     * cell; rounding every role up loses at most one cell per role and resource (≈ 1 GiB of GPU for 8 roles, 4 %).
     * The DP visits only non-dominated states, so its work is a small multiple of the 24,576 grid cells per role:
     * well under a millisecond for 8 roles (bench/results/controller-tick.md). Cells are counted, not sized, so the
     * tick costs the same on an 80 GB GPU.
     */
    public static final PlannerSettings DEFAULTS = new PlannerSettings(60, 512, 256, 0.25, 30, 2, 1.0, 192, 128);

    public PlannerSettings {
        if (!(horizonSeconds > 0) || promptTokens < 0 || outputTokens < 1 || tpotWeight < 0
                || substitutionPenaltySeconds < 0 || switchingPenaltySeconds < 0 || !(tickSeconds > 0)) {
            throw new IllegalArgumentException("planner settings out of range: " + horizonSeconds + " s, "
                    + promptTokens + "/" + outputTokens + " tokens, weights " + tpotWeight + ", "
                    + substitutionPenaltySeconds + ", " + switchingPenaltySeconds + ", tick " + tickSeconds);
        }
        if (gpuCells < 1 || hostCells < 1 || (long) (gpuCells + 1) * (hostCells + 1) > 4_000_000) {
            throw new IllegalArgumentException("grid must be at least 1 x 1 cells and at most ~4M: " + gpuCells
                    + " x " + hostCells);
        }
    }

    public PlannerSettings withHorizonSeconds(double h) {
        return new PlannerSettings(h, promptTokens, outputTokens, tpotWeight, substitutionPenaltySeconds,
                switchingPenaltySeconds, tickSeconds, gpuCells, hostCells);
    }

    public PlannerSettings withGrid(int gpu, int host) {
        return new PlannerSettings(horizonSeconds, promptTokens, outputTokens, tpotWeight, substitutionPenaltySeconds,
                switchingPenaltySeconds, tickSeconds, gpu, host);
    }
}
