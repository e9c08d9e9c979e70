package dev.echelon.residency.plan;

/**
 * How the {@link Forecaster} turns arrivals into demand.
 *
 * @param shortSeconds          time constant of the fast EWMA (reacts to shifts)
 * @param mediumSeconds         time constant of the planning EWMA (the default estimate)
 * @param longSeconds           time constant of the slow EWMA (stabilises a steady mix)
 * @param escalationProbability expected requests for the escalation target per weak answer
 * @param escalationSeconds     how long such an expected escalation stays pending (exponential decay)
 * @param shiftZ                how many standard deviations (Poisson) the short horizon must differ from the longer
 *                              ones before it counts as a shift
 * @param shiftPersistSeconds   how long a shift must persist before the short horizon takes over; a shift twice
 *                              {@code shiftZ} strong takes over at once. A lone request or a fast A/B alternation
 *                              never persists, a real change of mix does.
 */
public record ForecastSettings(double shortSeconds, double mediumSeconds, double longSeconds,
        double escalationProbability, double escalationSeconds, double shiftZ, double shiftPersistSeconds) {

    public static final ForecastSettings DEFAULTS = new ForecastSettings(10, 60, 600, 0.5, 20, 2.5, 12);

    public ForecastSettings {
        if (!(shortSeconds > 0 && shortSeconds < mediumSeconds && mediumSeconds < longSeconds)) {
            throw new IllegalArgumentException("horizons must satisfy 0 < short < medium < long: " + shortSeconds
                    + ", " + mediumSeconds + ", " + longSeconds);
        }
        if (escalationProbability < 0 || escalationProbability > 1 || !(escalationSeconds > 0)) {
            throw new IllegalArgumentException("escalation probability in [0, 1] and seconds > 0 expected: "
                    + escalationProbability + ", " + escalationSeconds);
        }
        if (!(shiftZ > 0) || shiftPersistSeconds < 0) {
            throw new IllegalArgumentException("shiftZ > 0 and shiftPersistSeconds >= 0 expected");
        }
    }
}
