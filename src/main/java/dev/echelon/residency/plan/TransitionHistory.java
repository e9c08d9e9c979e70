package dev.echelon.residency.plan;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * When transitions started, per role and overall: the memory behind dwell times and the anti-thrash window. Whoever
 * carries out transitions records them ({@link EchelonPlanner} records the ones it decides; a live controller
 * records what its actuator starts). Thread-safe.
 */
public final class TransitionHistory {

    private final double retainSeconds;
    private final Map<String, Double> lastChange = new HashMap<>();
    private final Deque<Double> starts = new ArrayDeque<>();

    /** @param retainSeconds how far back {@link #countSince} must see (at least the guardrails' window) */
    public TransitionHistory(double retainSeconds) {
        if (!(retainSeconds > 0)) {
            throw new IllegalArgumentException("retainSeconds must be > 0: " + retainSeconds);
        }
        this.retainSeconds = retainSeconds;
    }

    /** A transition of {@code role} started at {@code t}. */
    public synchronized void record(String role, double t) {
        lastChange.merge(role, t, Math::max);
        starts.addLast(t);
        while (!starts.isEmpty() && starts.peekFirst() < t - retainSeconds) {
            starts.removeFirst();
        }
    }

    /** When {@code role} last started a transition, if ever. */
    public synchronized OptionalDouble lastChange(String role) {
        Double t = lastChange.get(role);
        return t == null ? OptionalDouble.empty() : OptionalDouble.of(t);
    }

    /** Transitions started at or after {@code t} (within the retained span). */
    public synchronized int countSince(double t) {
        int n = 0;
        for (var it = starts.descendingIterator(); it.hasNext(); ) {
            if (it.next() >= t) {
                n++;
            }
        }
        return n;
    }
}
