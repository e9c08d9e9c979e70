package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;

import dev.echelon.residency.Decision;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives {@link EchelonPlanner} through a trace of arrivals with 1 s ticks, in a small world that reacts: a request
 * holds one of its role's slots for {@code serviceSeconds} when the role (or, in S6, its fallback) can serve and is
 * not in transit, and queues otherwise; a changed role is in transit (S5) for its planned transition time. Every
 * decision is checked against the invariants the guardrails promise; the transitions are counted.
 */
final class PolicyDriver {

    record Arrival(double t, String role) {
    }

    private final ResidencyModel model;
    private final EchelonPlanner policy;
    private final GuardrailSettings guard;
    private final double serviceSeconds;
    private Placement current;
    private final Map<String, Double> transitUntil = new HashMap<>();
    private final Map<String, List<Double>> busyUntil = new HashMap<>();
    private final Map<String, Deque<Double>> queues = new HashMap<>();
    private final Map<String, Double> lastChange = new HashMap<>();
    private final List<Transition> transitions = new ArrayList<>();
    private final List<Double> transitionTimes = new ArrayList<>();
    private final List<Boolean> urgent = new ArrayList<>();
    private final List<Boolean> follow = new ArrayList<>();
    private final List<Boolean> room = new ArrayList<>();
    private int decisions;

    PolicyDriver(ResidencyModel model, Placement start, PlannerSettings planner, ForecastSettings forecast,
            GuardrailSettings guard, double serviceSeconds) {
        this.model = model;
        this.policy = new EchelonPlanner(model, planner, forecast, guard);
        this.guard = guard;
        this.serviceSeconds = serviceSeconds;
        this.current = start;
        model.roles().keySet().forEach(r -> {
            busyUntil.put(r, new ArrayList<>());
            queues.put(r, new ArrayDeque<>());
        });
    }

    EchelonPlanner policy() {
        return policy;
    }

    Placement current() {
        return current;
    }

    List<Transition> transitions() {
        return transitions;
    }

    List<Double> transitionTimes() {
        return transitionTimes;
    }

    /**
     * Transitions that loaded a role which could not serve at GPU speed while requests waited, or that hand a queue
     * over (a fallback's load to take it, the substitution that moves it): they bypass the window.
     */
    long urgentCount() {
        return urgent.stream().filter(b -> b).count();
    }

    /** Demotions that made room for such a load in the same decision (they bypass the window too). */
    long roomCount() {
        return room.stream().filter(b -> b).count();
    }

    /**
     * Substituted roles that left S6 because their fallback left the GPU (they bypass dwell and the window, like the
     * fallback's move they follow).
     */
    long followCount() {
        return follow.stream().filter(b -> b).count();
    }

    List<Boolean> followFlags() {
        return follow;
    }

    List<Boolean> urgentFlags() {
        return urgent;
    }

    List<Boolean> roomFlags() {
        return room;
    }

    int decisions() {
        return decisions;
    }

    void run(List<Arrival> trace, double until) {
        int i = 0;
        for (double t = 0; t <= until; t += 1) {
            while (i < trace.size() && trace.get(i).t() < t + 1) {
                Arrival a = trace.get(i++);
                if (!model.manages(a.role())) {
                    continue;
                }
                settle(a.t());
                Observation obs = observe(a.t());
                apply(obs, policy.onRequest(obs, a.role()), a.role());
                admit(a.role(), a.t());
            }
            settle(t + 1);
            Observation obs = observe(t + 1);
            apply(obs, policy.onTick(obs), null);
        }
    }

    private void admit(String role, double t) {
        if (canServeNow(role, t) && freeSlot(role, t)) {
            busyUntil.get(role).add(t + serviceSeconds);
        } else {
            queues.get(role).addLast(t);
        }
    }

    /** Frees finished slots and lands finished transitions, then serves what queued. */
    private void settle(double t) {
        transitUntil.entrySet().removeIf(e -> e.getValue() <= t);
        for (String role : model.roles().keySet()) {
            busyUntil.get(role).removeIf(end -> end <= t);
            Deque<Double> q = queues.get(role);
            while (!q.isEmpty() && canServeNow(role, t) && freeSlot(role, t)) {
                q.removeFirst();
                busyUntil.get(role).add(t + serviceSeconds);
            }
        }
    }

    private boolean canServeNow(String role, double t) {
        if (transitUntil.containsKey(role)) {
            return false;
        }
        RolePlacement p = current.of(role);
        if (p.running()) {
            return true;
        }
        return p.state() == dev.echelon.registry.ResidencyState.S6 && model.role(role).fallback()
                .map(f -> current.of(f).running() && !transitUntil.containsKey(f)).orElse(false);
    }

    private boolean freeSlot(String role, double t) {
        var r = model.role(role);
        return busyUntil.get(role).size() < Math.max(1, r.parallel() * r.instances());
    }

    private Observation observe(double t) {
        Map<String, Integer> inFlight = new HashMap<>();
        Map<String, Integer> queued = new HashMap<>();
        for (String role : model.roles().keySet()) {
            if (!busyUntil.get(role).isEmpty()) {
                inFlight.put(role, busyUntil.get(role).size());
            }
            if (!queues.get(role).isEmpty()) {
                queued.put(role, queues.get(role).size());
            }
        }
        return new Observation(t, current, new HashSet<>(transitUntil.keySet()), inFlight, queued);
    }

    /** Checks the decision against the guardrails' promises and carries it out. */
    private void apply(Observation obs, Decision d, String requested) {
        decisions++;
        Placement target = d.target();
        assertTrue(model.fits(target), "decision within budgets: " + model.footprint(target) + " of "
                + model.budgets() + "; " + d.cause());
        GuardedPlan g = policy.lastGuarded();
        List<String> changed = current.changedRoles(target);
        if (changed.isEmpty()) {
            return;
        }
        // the policy replanned: its guarded transitions lead from the current placement to the target
        Placement p = current;
        Set<String> touched = new HashSet<>();
        for (Transition t : g.transitions()) {
            assertEquals(p.of(t.role()), t.from());
            assertTrue(Ladder.legal(t.from(), t.to()), "legal: " + t);
            assertTrue(model.admissible(t.role(), t.to()), "admissible: " + t);
            p = p.with(t.role(), t.to());
            assertTrue(model.fits(p), "intermediate within budgets after " + t);
            touched.add(t.role());
        }
        assertEquals(target, p, "target = transitions applied in order");
        boolean onRequestCounted = requested != null;
        // a load for requests that wait (and, when they cannot be served at GPU speed, an urgent one) in this decision
        boolean demandLoad = false;
        boolean urgentLoad = false;
        // (what the planner wanted: carried out, or held back, e.g. until the room it needs is freed)
        List<Transition> asked = new ArrayList<>(g.transitions());
        g.vetoes().forEach(v -> {
            if (Ladder.legal(current.of(v.role()), v.wanted())) {
                asked.add(new Transition(v.role(), current.of(v.role()), v.wanted(), 0, 0));
            }
        });
        Placement wanted = current;
        for (Transition t : asked) {
            wanted = wanted.with(t.role(), t.to());
        }
        Set<String> takingOver = new HashSet<>();
        for (Transition t : asked) {
            if (GuardrailsPropertiesTest.takesOver(model, t.role(), t.from(), t.to(),
                    r -> queuedNow(obs, r, requested), current, wanted)) {
                takingOver.add(t.role()); // loaded to take over the queue of a role handed to it
            }
            if ((queuedNow(obs, t.role(), requested) > 0 || takingOver.contains(t.role()))
                    && Guardrails.promotes(t.from(), t.to()) && !obs.inTransit().contains(t.role())) {
                demandLoad = true;
                urgentLoad |= slow(t.role(), obs) || takingOver.contains(t.role());
            }
        }
        for (String role : touched) {
            RolePlacement from = current.of(role);
            RolePlacement to = target.of(role);
            assertFalse(obs.inTransit().contains(role), "in transit untouched: " + role);
            model.role(role).pin().ifPresent(pin -> assertTrue(to.depth() <= pin.ordinal(), "pin: " + role));
            // the planner counts an arriving request where it will be served: at the role, or at its fallback
            // when the role is substituted (EchelonPlanner.servedBy)
            int queuedNow = queuedNow(obs, role, requested);
            Double last = lastChange.get(role);
            if (last != null && obs.nowSeconds() - last < guard.dwellSeconds()) {
                // within dwell a role moves only for waiting requests: promoted or substituted for its own, or
                // demoted to make room for a load that others wait for
                boolean forQueue = queuedNow > 0 && (Guardrails.promotes(from, to) || !from.running() && to.running()
                        || to.state() == ResidencyState.S6) || takingOver.contains(role);
                boolean follows = GuardrailsPropertiesTest.followsFallback(model,
                        new Transition(role, from, to, 0, 0), target);
                assertTrue(forQueue || (demandLoad && makesRoom(role, from, to)) || follows, "dwell violated for " + role
                        + ": " + from + " → " + to + " at " + obs.nowSeconds() + ", last change " + last);
            }
            lastChange.put(role, obs.nowSeconds());
        }
        for (Transition t : g.transitions()) {
            int queuedNow = queuedNow(obs, t.role(), requested);
            boolean load = (queuedNow > 0 && slow(t.role(), obs) && Guardrails.promotes(t.from(), t.to())
                    && !obs.inTransit().contains(t.role())) || takingOver.contains(t.role())
                    || GuardrailsPropertiesTest.handsQueueOver(model, t.role(), t.to(), queuedNow, obs);
            urgent.add(load);
            boolean follows = !load && GuardrailsPropertiesTest.followsFallback(model, t, target);
            follow.add(follows);
            room.add(!load && !follows && urgentLoad && makesRoom(t.role(), t.from(), t.to()));
            transitions.add(t);
            transitionTimes.add(obs.nowSeconds());
            // drain first, as the actuator and the simulator do: a role demoted with requests in flight starts no
            // new one (it counts as in transit) and moves once they are done — no demotion with requests in flight
            double drained = Guardrails.demotes(t.from(), t.to())
                    ? busyUntil.get(t.role()).stream().mapToDouble(Double::doubleValue).max().orElse(obs.nowSeconds())
                    : obs.nowSeconds();
            assertTrue(busyUntil.get(t.role()).stream().allMatch(end -> end <= drained + 1e-9)
                    || !Guardrails.demotes(t.from(), t.to()), "demoted only once drained: " + t);
            transitUntil.merge(t.role(), Math.max(obs.nowSeconds(), drained) + t.seconds(), Math::max);
        }
        current = target;
    }

    /**
     * Requests waiting for {@code role} as the planner counts them: the observation's queue, plus the arriving request
     * at the role it asked for and where it is served (its fallback, when the role is substituted).
     */
    private int queuedNow(Observation obs, String role, String requested) {
        return obs.queued(role) + (requested != null && (role.equals(requested)
                || role.equals(servedAt(requested, obs))) ? 1 : 0);
    }

    /**
     * The role cannot serve its requests at GPU speed: not at all, or only on the CPU or partly offloaded (a role
     * substituted onto a running fallback is served at the fallback's speed).
     */
    private boolean slow(String role, Observation obs) {
        RolePlacement p = obs.current().of(role);
        return !new Guardrails(model, guard).canServe(role, obs.current())
                || (p.running() && p.gpuLayers() < model.role(role).requireVariant(p.variant()).layers());
    }

    /** A demotion that releases GPU memory or host RAM. */
    private boolean makesRoom(String role, RolePlacement from, RolePlacement to) {
        var a = model.footprint(role, from);
        var b = model.footprint(role, to);
        return Guardrails.demotes(from, to) && (b.gpuBytes() < a.gpuBytes() || b.hostBytes() < a.hostBytes());
    }

    /** Where a request for {@code role} is served as things stand: itself, or along its chain of substitutions. */
    private String servedAt(String role, Observation obs) {
        if (role == null) {
            return null;
        }
        String at = role;
        for (int hops = 0; hops <= model.roles().size(); hops++) {
            if (obs.inTransit().contains(at) || obs.current().of(at).state() != ResidencyState.S6) {
                return at;
            }
            java.util.Optional<String> next = model.role(at).fallback();
            if (next.isEmpty() || !model.manages(next.get())) {
                return at;
            }
            at = next.get();
        }
        return role;
    }
}
