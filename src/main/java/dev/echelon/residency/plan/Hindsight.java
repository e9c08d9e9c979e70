package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which roles the recent past says are better substituted (S6) than loaded. Every
 * {@link HindsightSettings#periodSeconds} the exact dynamic programme of {@link OfflineOptimum} is solved over the
 * requests <em>already seen</em> in the last {@link HindsightSettings#windowSeconds}, starting from where the roles
 * were then; a role the best schedule kept on its fallback for more than {@link HindsightSettings#substitutedShare}
 * of its last {@link HindsightSettings#tailSeconds} is reported substituted until the next solve ("follow the leader"
 * in hindsight: the decision that would have been best for the traffic just seen is taken for the traffic about to
 * come).
 *
 * <p>Why: whether a large role should be loaded at all for its requests, evicting everybody else, or handed to its
 * fallback depends on how its traffic interleaves with the others' over minutes. A per-request price cannot see that
 * its load will be undone by the next request of a role it evicts; the hindsight schedule sees exactly that, on the
 * observed arrivals and sizes, through the same cost model. It never reads the future.
 *
 * <p>Solves run on {@code solver}: a direct executor in replays (deterministic: the answer is there at once), a
 * background thread in the live controller (a solve, timed at {@link HindsightSettings#DEFAULTS}, must not hold up
 * a decision; until it ends, the previous answer stands). At most one solve runs at a time.
 *
 * <p>Recording is not thread-safe; the planner calls it under its own lock. The answer is published safely.
 */
final class Hindsight {

    private record Seen(double at, String role, int prompt, int output) {
    }

    /** Where the roles were from {@code at} until the next snapshot. */
    private record Snapshot(double at, Placement placement) {
    }

    private final ResidencyModel model;
    private final HindsightSettings settings;
    private final OfflineOptimum.Settings solverSettings;
    private final Executor solver;
    private final Deque<Seen> seen = new ArrayDeque<>();
    private final Deque<Snapshot> placements = new ArrayDeque<>();
    private final AtomicBoolean solving = new AtomicBoolean();
    private double lastSolve = Double.NEGATIVE_INFINITY;
    private volatile Set<String> substituted = Set.of();
    private volatile double lastSolveSeconds;

    Hindsight(ResidencyModel model, HindsightSettings settings, RequestCost cost, Executor solver) {
        this.model = model;
        this.settings = settings;
        // one partial step: no half-offloaded candidates. The answer is only which roles sit in S6; leaving them out
        // makes a solve 2.5 times faster, and of 27 planner replays (six seeds) it changed one, by under 1 % of cost.
        // Requests for a role left cold count as unserved at once, not as waiting for the next step's load as in the
        // optimum since round 48: with that wait, over sixteen seeds the planner met 19 runs of 96 instead of 20,
        // its mean p95 gain 0.3–1.0 point lower on every family it changed (bench/residency/README.md, round 48)
        this.solverSettings = new OfflineOptimum.Settings(settings.stepSeconds(), 1, cost, false);
        this.solver = solver;
    }

    void request(double at, String role, int prompt, int output) {
        if (model.manages(role)) {
            seen.addLast(new Seen(at, role, Math.max(1, prompt), Math.max(1, output)));
        }
    }

    /** Records where the roles are now, starts a solve when a period has passed; returns the substituted roles. */
    Set<String> update(double now, Placement current) {
        // only changes are kept: a decision per request would otherwise keep hundreds of thousands of copies of the
        // same placement over the window at a few hundred requests per second
        if (placements.isEmpty() || !placements.peekLast().placement().equals(current)) {
            placements.addLast(new Snapshot(now, current));
        }
        double from = now - settings.windowSeconds();
        while (!seen.isEmpty() && seen.peekFirst().at() < from) {
            seen.removeFirst();
        }
        // keep the last snapshot at or before the window's start: where the roles were when it began
        while (placements.size() > 1 && second(placements).at() <= from) {
            placements.removeFirst();
        }
        if (now - lastSolve >= settings.periodSeconds() && !solving.get()) {
            lastSolve = now;
            solve(now);
        }
        return substituted;
    }

    private static Snapshot second(Deque<Snapshot> d) {
        var it = d.iterator();
        it.next();
        return it.next();
    }

    private void solve(double now) {
        // the first snapshot kept is where the roles were when the window began (or when it was first seen)
        Snapshot start = placements.peekFirst();
        double origin = Math.max(start.at(), now - settings.windowSeconds());
        double span = now - origin;
        List<OfflineOptimum.KnownRequest> past = new ArrayList<>();
        for (Seen s : seen) {
            if (s.at() >= origin) {
                past.add(new OfflineOptimum.KnownRequest(s.at() - origin, s.role(), s.prompt(), s.output()));
            }
        }
        if (past.size() < 2 || span < 2 * settings.stepSeconds()) {
            substituted = Set.of();
            return;
        }
        solving.set(true);
        try {
            solver.execute(() -> {
                try {
                    long t0 = System.nanoTime();
                    OfflineOptimum best = new OfflineOptimum(model, past, span, solverSettings, start.placement());
                    substituted = substitutedAtTheEnd(best.schedule());
                    lastSolveSeconds = (System.nanoTime() - t0) / 1e9;
                } finally {
                    solving.set(false);
                }
            });
        } catch (RuntimeException rejected) {
            solving.set(false); // the executor is shutting down: the previous answer stands
        }
    }

    private Set<String> substitutedAtTheEnd(List<Placement> schedule) {
        int tail = Math.max(1, (int) Math.round(settings.tailSeconds() / settings.stepSeconds()));
        return substitutedAtTheEnd(schedule, model.roles().keySet(), tail, settings.substitutedShare());
    }

    /** Roles in S6 for more than {@code share} of the schedule's last {@code tailSteps} placements. */
    static Set<String> substitutedAtTheEnd(List<Placement> schedule, Set<String> roles, int tailSteps,
            double share) {
        int from = Math.max(0, schedule.size() - tailSteps);
        Set<String> out = new LinkedHashSet<>();
        for (String role : roles) {
            int s6 = 0;
            for (int w = from; w < schedule.size(); w++) {
                if (schedule.get(w).stateOf(role) == ResidencyState.S6) {
                    s6++;
                }
            }
            if (s6 > share * (schedule.size() - from)) {
                out.add(role);
            }
        }
        return Set.copyOf(out);
    }

    /** The roles the last finished solve reported substituted. */
    Set<String> substituted() {
        return substituted;
    }

    /** Wall-clock seconds the last finished solve took. */
    double lastSolveSeconds() {
        return lastSolveSeconds;
    }
}
