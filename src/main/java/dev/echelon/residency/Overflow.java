package dev.echelon.residency;

import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.Tier;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Overflow to a hot fallback: a request whose own role is on the GPU but so busy that the request would wait far past
 * its tier's TTFT objective ({@link Slo}) is served by the role's fallback instead, when the fallback is on the GPU
 * too and would meet the objective. A trade of answer quality (the fallback is the weaker or less specialised
 * model) for the latency tail, so it is bounded three times: only a wait of {@link Settings#sloFactor} times the
 * objective counts as far past it; only a wait that would also land in the tail of the recent first tokens
 * ({@link Settings#tailQuantile} of the last {@link Settings#tailWindowSeconds}) is worth the trade; and at most
 * {@link Settings#maxShare} of the requests of the last {@link Settings#windowSeconds} overflow (one at least), so a
 * burst cannot pour onto the fallback.
 *
 * <p>Why the tail: an overflow pays the fallback's quality for one request's wait, and a wait that most recent
 * requests waited as long or longer is not the tail it is meant to cut. Without that test a math request's 6.2 s wait
 * overflowed in a workday hour whose 95th percentile was 11.6 s: the quality was paid and the tail stayed where it
 * was (bench/residency/README.md, residency-round37). Until {@link #TAIL_SAMPLES} first tokens have been seen in
 * the window there is no tail to judge by, and only the objective counts.
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
     * @param sloFactor         a request overflows only when its expected TTFT on its own role exceeds this many times
     *                          its tier's TTFT objective
     * @param maxShare          the most requests that may overflow, as a share of those that arrived in the window (at
     *                          least one is always allowed)
     * @param windowSeconds     the window the share is counted over
     * @param tailQuantile      a request overflows only when its expected TTFT on its own role also exceeds this
     *                          quantile of the first tokens seen in the tail window; 0 turns the test off
     * @param tailWindowSeconds the window the tail is judged over
     */
    public record Settings(double sloFactor, double maxShare, double windowSeconds, double tailQuantile,
            double tailWindowSeconds) {

        /**
         * Twice the objective and past the last hour's 95th percentile; 2 % of the last ten minutes' requests. An
         * hour, not ten minutes: one burst fills a ten-minute window's tail, and the waits behind it then look
         * ordinary (residency-round37).
         */
        public static final Settings DEFAULTS = new Settings(2.0, 0.02, 600, 0.95, 3600);

        public Settings {
            if (!(sloFactor >= 1) || !(maxShare >= 0 && maxShare <= 1) || !(windowSeconds > 0)
                    || !(tailQuantile >= 0 && tailQuantile < 1) || !(tailWindowSeconds > 0)) {
                throw new IllegalArgumentException("overflow settings: sloFactor must be >= 1, maxShare in [0, 1], "
                        + "windowSeconds > 0, tailQuantile in [0, 1) and tailWindowSeconds > 0; got " + sloFactor
                        + ", " + maxShare + ", " + windowSeconds + ", " + tailQuantile + ", " + tailWindowSeconds);
            }
        }
    }

    /** Fewer first tokens than this in the tail window are no tail yet: the 95th percentile of 20 is the slowest. */
    public static final int TAIL_SAMPLES = 20;

    /** The most first tokens kept for the tail (the latest): a bound on memory and on the sort a decision makes. */
    static final int TAIL_CAPACITY = 4096;

    /** A request's first token: when it came (or was known) and the request's time to it. */
    private record FirstToken(double atSeconds, double ttftSeconds) {
    }

    private final Settings settings;
    private final Deque<Double> arrivals = new ArrayDeque<>();
    private final Deque<Double> taken = new ArrayDeque<>();
    private final Deque<FirstToken> firstTokens = new ArrayDeque<>();
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
     * Counts a request's first token (whichever role served it), {@code ttftSeconds} after its arrival: the tail a
     * later overflow is judged against. {@code atSeconds} is when it came; one not yet come by a decision's time is
     * not counted by it.
     */
    public synchronized void firstToken(double atSeconds, double ttftSeconds) {
        firstTokens.addLast(new FirstToken(atSeconds, ttftSeconds));
        if (firstTokens.size() > TAIL_CAPACITY) {
            firstTokens.removeFirst();
        }
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
        if (ownTtftSeconds <= recentTail(nowSeconds)
                || taken.size() + 1 > Math.max(1, settings.maxShare() * arrivals.size())) {
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

    /**
     * The tail quantile of the first tokens come in the tail window by {@code nowSeconds}; 0 while too few have. (The
     * simulator counts a first token ahead of its time, so the deque is not in time order: both ends are filtered.)
     */
    private double recentTail(double nowSeconds) {
        if (settings.tailQuantile() == 0) {
            return 0;
        }
        double from = nowSeconds - settings.tailWindowSeconds();
        double[] seen = firstTokens.stream().filter(f -> f.atSeconds() <= nowSeconds && f.atSeconds() >= from)
                .mapToDouble(FirstToken::ttftSeconds).sorted().toArray();
        return seen.length < TAIL_SAMPLES ? 0 : seen[(int) Math.floor(settings.tailQuantile() * seen.length)];
    }

    private void forget(double nowSeconds) {
        double tailFrom = nowSeconds - settings.tailWindowSeconds();
        while (!firstTokens.isEmpty() && firstTokens.peekFirst().atSeconds() < tailFrom) {
            firstTokens.removeFirst();
        }
        double from = nowSeconds - settings.windowSeconds();
        while (!arrivals.isEmpty() && arrivals.peekFirst() < from) {
            arrivals.removeFirst();
        }
        while (!taken.isEmpty() && taken.peekFirst() < from) {
            taken.removeFirst();
        }
    }
}
