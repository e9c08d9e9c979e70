package dev.echelon.residency.plan;

import dev.echelon.residency.Transition;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * When transitions started, per role and overall, and which of them reversed the role's previous direction: the
 * memory behind dwell times, flap damping and the anti-thrash window. Whoever carries out transitions records them
 * ({@link EchelonPlanner} records the ones it decides; a live controller records what its actuator starts).
 * Thread-safe.
 */
public final class TransitionHistory {

    private final double retainSeconds;
    private final Map<String, Double> lastChange = new HashMap<>();
    /** Each role's last transition, where it is known (not after {@link #record(String, double)}). */
    private final Map<String, Transition> lastTransition = new HashMap<>();
    private final Map<String, Integer> lastDirection = new HashMap<>();
    private final Map<String, Deque<Double>> reversals = new HashMap<>();
    private final Deque<Double> starts = new ArrayDeque<>();

    /** @param retainSeconds how far back {@link #countSince} and {@link #reversalsSince} must see */
    public TransitionHistory(double retainSeconds) {
        if (!(retainSeconds > 0)) {
            throw new IllegalArgumentException("retainSeconds must be > 0: " + retainSeconds);
        }
        this.retainSeconds = retainSeconds;
    }

    /** A transition started at {@code at}; a promotion after a demotion (or the reverse) counts as a reversal. */
    public synchronized void record(Transition t, double at) {
        int direction = Guardrails.promotes(t.from(), t.to()) ? 1 : Guardrails.demotes(t.from(), t.to()) ? -1 : 0;
        if (direction != 0) {
            Integer previous = lastDirection.put(t.role(), direction);
            if (previous != null && previous == -direction) {
                Deque<Double> r = reversals.computeIfAbsent(t.role(), k -> new ArrayDeque<>());
                r.addLast(at);
                prune(r, at);
            }
        }
        record(t.role(), at);
        lastTransition.put(t.role(), t);
    }

    /** A transition of {@code role} started at {@code t} (direction unknown: no reversal is counted). */
    public synchronized void record(String role, double t) {
        lastChange.merge(role, t, Math::max);
        lastTransition.remove(role);
        starts.addLast(t);
        prune(starts, t);
    }

    /** When {@code role} last started a transition, if ever. */
    public synchronized OptionalDouble lastChange(String role) {
        Double t = lastChange.get(role);
        return t == null ? OptionalDouble.empty() : OptionalDouble.of(t);
    }

    /** {@code role}'s last transition, if it is known. */
    public synchronized Optional<Transition> lastTransition(String role) {
        return Optional.ofNullable(lastTransition.get(role));
    }

    /** Transitions started at or after {@code t} (within the retained span). */
    public synchronized int countSince(double t) {
        int n = 0;
        for (double s : starts) {
            if (s >= t) {
                n++;
            }
        }
        return n;
    }

    /** Times {@code role} reversed direction at or after {@code t} (within the retained span). */
    public synchronized int reversalsSince(String role, double t) {
        Deque<Double> r = reversals.get(role);
        if (r == null) {
            return 0;
        }
        int n = 0;
        for (double s : r) {
            if (s >= t) {
                n++;
            }
        }
        return n;
    }

    private void prune(Deque<Double> times, double now) {
        while (!times.isEmpty() && times.peekFirst() < now - retainSeconds) {
            times.removeFirst();
        }
    }
}
