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
     * The last 10 minutes, re-solved every minute in 20 s steps, judged on its last 5 minutes: long enough to hold
     * several requests of a sporadic large role and the loads they would cost, short enough to follow a phase change
     * within a few minutes. A solve takes 0.1–0.3 s (bench/residency/README.md), off the decision path in the live
     * controller.
     */
    public static final HindsightSettings DEFAULTS = new HindsightSettings(600, 60, 300, 20);

    public HindsightSettings {
        if (!(stepSeconds > 0) || !(periodSeconds > 0) || !(tailSeconds >= stepSeconds)
                || !(windowSeconds >= 2 * stepSeconds) || tailSeconds > windowSeconds) {
            throw new IllegalArgumentException("hindsight settings out of range: window " + windowSeconds
                    + " s, period " + periodSeconds + " s, tail " + tailSeconds + " s, step " + stepSeconds + " s");
        }
    }
}
