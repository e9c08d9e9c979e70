package dev.echelon.residency.plan;

/**
 * Demand for one role at one moment.
 *
 * @param rate               arrivals per second the planner should assume: the medium horizon (blended with the long
 *                           one while they agree), or the short horizon while a shift persists
 * @param shortRate          EWMA rate at the short horizon (arrivals/s)
 * @param mediumRate         EWMA rate at the medium horizon
 * @param longRate           EWMA rate at the long horizon
 * @param shifting           +1 / −1 while the short horizon drives {@code rate} up / down, 0 otherwise
 * @param pendingEscalations expected near-term requests announced by weak answers and not yet arrived
 * @param escalationSeconds  how fast pending escalations expire (their time constant)
 * @param queued             requests waiting now
 */
public record RoleForecast(double rate, double shortRate, double mediumRate, double longRate, int shifting,
        double pendingEscalations, double escalationSeconds, int queued) {

    public static RoleForecast idle(double escalationSeconds, int queued) {
        return new RoleForecast(0, 0, 0, 0, 0, 0, escalationSeconds, queued);
    }

    /**
     * Requests expected within {@code horizonSeconds}: arrivals at {@link #rate}, the pending escalations that arrive
     * within the horizon, and the queue that is already there.
     */
    public double expectedRequests(double horizonSeconds) {
        return rate * horizonSeconds + pendingEscalations * (1 - Math.exp(-horizonSeconds / escalationSeconds))
                + queued;
    }

    /** Arrivals per second over the horizon, escalations included, queue excluded. */
    public double arrivalRate(double horizonSeconds) {
        return (expectedRequests(horizonSeconds) - queued) / horizonSeconds;
    }
}
