package dev.echelon.residency.plan;

/**
 * How {@link Hindsight} looks back.
 *
 * @param windowSeconds how much of the recent past is re-solved: the requests seen in it, from where the roles were
 *                      at its start
 * @param periodSeconds how often it is re-solved
 * @param tailSeconds   the end of the solved schedule that counts: a role kept substituted (S6) for more than
 *                      {@code substitutedShare} of it is handed to its fallback until the next solve
 * @param stepSeconds   the schedule's step (the offline optimum's window): one placement per step
 * @param substitutedShare how much of the tail a role must spend substituted to be reported, in [0.5, 1): a role the
 *                      schedule loaded for a good part of the tail is left to the per-request price
 */
public record HindsightSettings(double windowSeconds, double periodSeconds, double tailSeconds, double stepSeconds,
        double substitutedShare) {

    /**
     * The last 10 minutes, re-solved every minute in 5 s steps, judged on its last 5 minutes: long enough to hold
     * several requests of a sporadic large role and the loads they would cost, short enough to follow a phase change
     * within a few minutes.
     *
     * <p>Why 5 s steps: the schedule can only load a role at a step's boundary, before the requests it loads for, so
     * each load also costs up to a step of the evicted roles' time. The planner loads on the request itself and waits
     * for the load instead (the coder's 2.6 s from host RAM). With 20 s steps the schedule overpriced every load
     * beside busy roles and handed to the fallback a coder asked in short runs, whose loads online were worth it
     * (bench/residency/README.md, residency-round18). A solve takes 0.2–0.6 s, off the decision path in the live
     * controller.
     *
     * <p>Why 60 % of the tail, not half: where the schedule loads a role for some of its runs and substitutes it for
     * others (its requests interleave with the fallback's own traffic in one stretch and not in the next), a report
     * of "substituted" holds every request on the fallback, and the runs worth loading for pay about 30 s each in
     * quality. Workday seed 1 at 1971–2057 s: at half, the coder's requests were held on the architect at 31–38 s
     * each, where the optimum loaded it for 3–28 s; at 60 % they are left to the per-request price and loaded for.
     * Over sixteen seeds, 26 runs of 96 met the target instead of 23, none lost; mean regret fell on every family
     * it changes, mean p95 gain by up to 2.1 points. 70 % met four and lost three, with the workday p95 gain down 5
     * points (bench/residency/README.md, residency-round33).
     */
    public static final HindsightSettings DEFAULTS = new HindsightSettings(600, 60, 300, 5, 0.6);

    public HindsightSettings {
        if (!(stepSeconds > 0) || !(periodSeconds > 0) || !(tailSeconds >= stepSeconds)
                || !(windowSeconds >= 2 * stepSeconds) || tailSeconds > windowSeconds
                || !(substitutedShare >= 0.5 && substitutedShare < 1)) {
            throw new IllegalArgumentException("hindsight settings out of range: window " + windowSeconds
                    + " s, period " + periodSeconds + " s, tail " + tailSeconds + " s, step " + stepSeconds
                    + " s, substituted share " + substitutedShare);
        }
    }
}
