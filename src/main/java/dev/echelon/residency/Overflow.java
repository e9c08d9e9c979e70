package dev.echelon.residency;

import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.Tier;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Overflow to a hot fallback: a request whose own role is on the GPU but so busy that the request would wait far past
 * its tier's TTFT objective ({@link Slo}) is served by the role's fallback instead, when the fallback is on the GPU
 * too and would meet the objective. A trade of answer quality (the fallback is the weaker or less specialised
 * model) for the latency tail, so it is bounded twice: only a wait of {@link Settings#sloFactor} times the objective
 * counts as far past it, and at most {@link Settings#maxShare} of the requests of the last
 * {@link Settings#windowSeconds} overflow (one at least), so a burst cannot pour onto the fallback.
 *
 * <p>Why both roles must be on the GPU: the tail this cuts is a busy role's own queue (a 1-slot 32B coder in a burst of
 * code), which no placement shortens; a fallback held in host RAM would prefill a long prompt at CPU speed, slower
 * than the queue. Placement stays the residency policy's business: a role that is cold, moving, being promoted or
 * drained is left to it, and so is a fallback about to move.
 *
 * <p>The request path (live: {@code ResidencyStep} through the controller; simulated: the {@code Simulator}) estimates
 * both waits and asks; this class holds the rule and the budget. Thread-safe.
 */
public final class Overflow {

    /**
     * @param sloFactor     a request overflows only when its expected TTFT on its own role exceeds this many times its
     *                      tier's TTFT objective
     * @param maxShare      the most requests that may overflow, as a share of those that arrived in the window (at
     *                      least one is always allowed)
     * @param windowSeconds the window the share is counted over
     */
    public record Settings(double sloFactor, double maxShare, double windowSeconds) {

        /** Twice the objective; 2 % of the last ten minutes' requests. */
        public static final Settings DEFAULTS = new Settings(2.0, 0.02, 600);

        public Settings {
            if (!(sloFactor >= 1) || !(maxShare >= 0 && maxShare <= 1) || !(windowSeconds > 0)) {
                throw new IllegalArgumentException("overflow settings: sloFactor must be >= 1, maxShare in [0, 1] and "
                        + "windowSeconds > 0; got " + sloFactor + ", " + maxShare + ", " + windowSeconds);
            }
        }
    }

    private final Settings settings;
    private final Deque<Double> arrivals = new ArrayDeque<>();
    private final Deque<Double> taken = new ArrayDeque<>();
    private long total;

    public Overflow(Settings settings) {
        this.settings = settings;
    }

    /** Whether a placement holds the whole model on the GPU (S0/S1): the only ones that serve or take overflow. */
    public static boolean hot(RolePlacement p) {
        return p.state() == ResidencyState.S0 || p.state() == ResidencyState.S1;
    }

    /** Counts a request that arrived (whichever role it is for): the base of the budget's share. */
    public synchronized void arrival(double nowSeconds) {
        forget(nowSeconds);
        arrivals.addLast(nowSeconds);
    }

    /**
     * Whether a request goes to its role's fallback; books it against the budget when it does.
     *
     * @param ownTtftSeconds      its expected time to first token on its own role: the wait for a slot plus prefill
     * @param fallbackTtftSeconds the same on the fallback
     * @param tier                the request's own tier, whose TTFT objective it is held to wherever it is served
     */
    public synchronized boolean take(double nowSeconds, double ownTtftSeconds, double fallbackTtftSeconds, Tier tier) {
        double sloSeconds = Slo.ttftSeconds(tier);
        if (ownTtftSeconds <= settings.sloFactor() * sloSeconds || fallbackTtftSeconds > sloSeconds) {
            return false;
        }
        forget(nowSeconds);
        if (taken.size() + 1 > Math.max(1, settings.maxShare() * arrivals.size())) {
            return false;
        }
        taken.addLast(nowSeconds);
        total++;
        return true;
    }

    /** Requests sent to a fallback so far. */
    public synchronized long total() {
        return total;
    }

    public Settings settings() {
        return settings;
    }

    private void forget(double nowSeconds) {
        double from = nowSeconds - settings.windowSeconds();
        while (!arrivals.isEmpty() && arrivals.peekFirst() < from) {
            arrivals.removeFirst();
        }
        while (!taken.isEmpty() && taken.peekFirst() < from) {
            taken.removeFirst();
        }
    }
}
