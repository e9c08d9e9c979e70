package dev.echelon.residency.plan;

/**
 * How {@link Hindsight} looks back.
 *
 * @param windowSeconds how much of the recent past is re-solved: the requests seen in it, from where the roles were
 *                      at its start
 * @param periodSeconds how often it is re-solved
 * @param tailSeconds   the end of the solved schedule that counts: a role kept substituted (S6) for most of it is
 *                      handed to its fallback until the next solve
 * @param stepSeconds   the schedule's step (the offline optimum's window): one placement per step
 */
public record HindsightSettings(double windowSeconds, double periodSeconds, double tailSeconds, double stepSeconds) {

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
     */
    public static final HindsightSettings DEFAULTS = new HindsightSettings(600, 60, 300, 5);

    public HindsightSettings {
        if (!(stepSeconds > 0) || !(periodSeconds > 0) || !(tailSeconds >= stepSeconds)
                || !(windowSeconds >= 2 * stepSeconds) || tailSeconds > windowSeconds) {
            throw new IllegalArgumentException("hindsight settings out of range: window " + windowSeconds
                    + " s, period " + periodSeconds + " s, tail " + tailSeconds + " s, step " + stepSeconds + " s");
        }
    }
}
