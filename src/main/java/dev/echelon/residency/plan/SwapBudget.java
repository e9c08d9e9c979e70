package dev.echelon.residency.plan;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The anti-thrash bound of the reactive core, per pair of roles: how often one role was evicted to make room for the
 * other, or substituted onto the other (S6, the other being its fallback) or taken back from it, either way round,
 * within the flap window. Once a pair has used its budget, the core may no longer evict one for the other, nor move
 * the role into or out of substitution on the other (but for a whole-GPU load), until the oldest of those swaps
 * leaves the window: a request for the losing side is then served by what is left — waiting for a holder that drains
 * anyway, partial offload or the CPU into free memory, substitution onto its fallback, or staying where it is.
 *
 * <p>Why a count and not a price: a price that rises with every reversal (round 6's flap damping of the eviction
 * loss) makes every later eviction of that role dearer, also the ones a real shift needs, and tipped whole traces into
 * states where every role waited on a partly offloaded neighbour. A budget leaves every other eviction priced as
 * before and bounds the alternation exactly: at most {@code budget} swaps of one pair in any flap window.
 *
 * <p>Swaps are recorded when the victim's move is seen to start (not when decided), so a move that waits for a drain
 * or for memory is counted once. Not thread-safe: {@link EchelonPlanner} serialises its calls.
 */
public final class SwapBudget {

    private final int budget;
    private final double windowSeconds;
    private final Map<String, Deque<Double>> swaps = new HashMap<>();

    /**
     * @param budget        swaps of one pair allowed within any window; 0 or a window of 0 s means no bound
     * @param windowSeconds the sliding window (the guardrails' flap window)
     */
    public SwapBudget(int budget, double windowSeconds) {
        if (budget < 0 || windowSeconds < 0) {
            throw new IllegalArgumentException("swap budget >= 0 and window >= 0 expected: " + budget + ", "
                    + windowSeconds);
        }
        this.budget = budget;
        this.windowSeconds = windowSeconds;
    }

    /**
     * {@code victim} started to make room for {@code beneficiary} at {@code at} (or, for a substitution, the role
     * started to move onto or off its fallback: the order does not matter).
     */
    public void record(String beneficiary, String victim, double at) {
        if (!bounded()) {
            return;
        }
        Deque<Double> times = swaps.computeIfAbsent(key(beneficiary, victim), k -> new ArrayDeque<>());
        times.addLast(at);
        prune(times, at);
    }

    /** Swaps of the pair (either way round) within the window before {@code now}. */
    public int used(String a, String b, double now) {
        Deque<Double> times = swaps.get(key(a, b));
        if (times == null) {
            return 0;
        }
        prune(times, now);
        return times.size();
    }

    /** Whether evicting one of the pair for the other is still allowed at {@code now}. */
    public boolean allows(String a, String b, double now) {
        return !bounded() || used(a, b, now) < budget;
    }

    /**
     * When the pair may be swapped again: {@code now} if it may already, else when enough of its swaps have left the
     * window for one more to fit the budget.
     */
    public double allowsAgainAt(String a, String b, double now) {
        if (allows(a, b, now)) {
            return now;
        }
        Deque<Double> times = swaps.get(key(a, b));
        // used >= budget: the swap that must leave is the (used − budget + 1)-th oldest
        int leave = times.size() - budget;
        var it = times.iterator();
        double t = it.next();
        for (int i = 0; i < leave; i++) {
            t = it.next();
        }
        return t + windowSeconds;
    }

    private boolean bounded() {
        return budget > 0 && windowSeconds > 0;
    }

    private void prune(Deque<Double> times, double now) {
        while (!times.isEmpty() && times.peekFirst() <= now - windowSeconds) {
            times.removeFirst();
        }
    }

    private static String key(String a, String b) {
        return a.compareTo(b) <= 0 ? a + '\u0000' + b : b + '\u0000' + a;
    }
}
