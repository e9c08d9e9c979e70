package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Guardrails on random worlds, random wanted placements (any admissible option per role, within budget or not),
 * random busy / queued / in-transit roles and a random history: whatever they let through is safe.
 */
class GuardrailsPropertiesTest {

    private static final GuardrailSettings SETTINGS = new GuardrailSettings(30, 60, 4);

    record Case(RandomModels.World world, Placement wanted, Observation obs, TransitionHistory history,
            Map<String, Double> lastChange) {
    }

    static Case generate(int roles, long seed) {
        RandomModels.World w = RandomModels.world(roles, seed);
        Random rnd = new Random(seed ^ 0x9E3779B97F4A7C15L);
        ResidencyModel model = w.model();
        Placement wanted = RandomModels.randomWanted(model, rnd);
        double now = 1000;
        Map<String, Integer> inFlight = new HashMap<>();
        Map<String, Integer> queued = new HashMap<>();
        Set<String> inTransit = new HashSet<>();
        TransitionHistory history = new TransitionHistory(600);
        Map<String, Double> last = new HashMap<>();
        for (String r : model.roles().keySet()) {
            if (rnd.nextInt(3) == 0) {
                inFlight.put(r, 1 + rnd.nextInt(3));
            }
            if (rnd.nextInt(3) == 0) {
                queued.put(r, 1 + rnd.nextInt(5));
            }
            if (rnd.nextInt(6) == 0) {
                inTransit.add(r);
            }
            if (rnd.nextInt(2) == 0) {
                double t = now - rnd.nextDouble() * 90;
                history.record(r, t);
                last.put(r, t);
            }
        }
        Observation obs = new Observation(now, w.current(), inTransit, inFlight, queued);
        return new Case(w, wanted, obs, history, last);
    }

    @Test
    void whateverPassesIsSafe() {
        Map<String, Integer> seen = new HashMap<>();
        qt().withFixedSeed(20261121L).withExamples(400).forAll(integers().between(1, 7), longs().all())
                .checkAssert((roles, seed) -> check(generate(roles, seed), seen));
        // the generator reaches the interesting cases: moves made, and each kind of refusal
        assertTrue(seen.getOrDefault("transitions", 0) > 50, "cases with transitions: " + seen);
        for (Veto.Reason r : new Veto.Reason[] {Veto.Reason.DWELL, Veto.Reason.WINDOW,
                Veto.Reason.BUDGET, Veto.Reason.IN_TRANSIT}) {
            assertTrue(seen.getOrDefault(r.name(), 0) > 0, "no case vetoed for " + r + ": " + seen);
        }
    }

    /** The same properties on the shipped registry: random fitting current placements, random wishes and load. */
    @Test
    void whateverPassesIsSafeOnTheShippedRegistry() {
        ResidencyModel shipped = PlanFixtures.shippedModel();
        Map<String, Integer> seen = new HashMap<>();
        qt().withFixedSeed(20261121L).withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random rnd = new Random(seed);
            Placement current = RandomModels.randomWanted(shipped, rnd);
            for (String role : shipped.roles().keySet()) {
                if (!shipped.fits(current) && shipped.admissible(role, RolePlacement.cold("q4_k_m"))) {
                    current = current.with(role, RolePlacement.cold("q4_k_m"));
                }
            }
            Observation obs = new Observation(1000, current, Set.of(),
                    randomCounts(shipped, rnd), randomCounts(shipped, rnd));
            TransitionHistory history = new TransitionHistory(600);
            Map<String, Double> last = new HashMap<>();
            for (String r : shipped.roles().keySet()) {
                if (rnd.nextBoolean()) {
                    double t = obs.nowSeconds() - rnd.nextDouble() * 90;
                    history.record(r, t);
                    last.put(r, t);
                }
            }
            check(new Case(new RandomModels.World(shipped, current), RandomModels.randomWanted(shipped, rnd), obs,
                    history, last), seen);
        });
        assertTrue(seen.getOrDefault("transitions", 0) > 30, "cases with transitions: " + seen);
        assertTrue(seen.getOrDefault(Veto.Reason.BUDGET.name(), 0) > 0, "budget-bound cases: " + seen);
    }

    private static Map<String, Integer> randomCounts(ResidencyModel model, Random rnd) {
        Map<String, Integer> m = new HashMap<>();
        model.roles().keySet().forEach(r -> {
            if (rnd.nextInt(3) == 0) {
                m.put(r, 1 + rnd.nextInt(3));
            }
        });
        return m;
    }

    /**
     * Requests wait for a role that cannot serve them at GPU speed: not at all, or only on the CPU or partly offloaded
     * (a role substituted onto a running fallback is served at the fallback's speed).
     */
    private static boolean urgent(Guardrails g, ResidencyModel model, String role, Observation obs) {
        if (obs.queued(role) == 0 || obs.inTransit().contains(role)) {
            return false;
        }
        RolePlacement p = obs.current().of(role);
        return !g.canServe(role, obs.current())
                || (p.running() && p.gpuLayers() < model.role(role).requireVariant(p.variant()).layers());
    }

    /** The wanted plan loads a role for requests that wait for it, or for those of a role handed to it. */
    private static boolean demandLoad(Case c) {
        Observation obs = c.obs();
        return c.wanted().roles().keySet().stream().anyMatch(r -> !obs.inTransit().contains(r)
                && Guardrails.promotes(obs.current().of(r), c.wanted().of(r))
                && Ladder.legal(obs.current().of(r), c.wanted().of(r))
                && (obs.queued(r) > 0 || takesOver(c.world().model(), r, obs.current().of(r), c.wanted().of(r),
                        obs::queued, obs.current(), c.wanted())));
    }

    /**
     * A load of {@code role} onto the whole GPU, from off it, that takes over the queue of a role falling back to it
     * which {@code wanted} moves off, or keeps off, the GPU (a hand-over, {@link ReactiveCore}): a load for waiting
     * requests, as if they were its own, so dwell and the window do not hold it back.
     */
    static boolean takesOver(ResidencyModel model, String role, RolePlacement from, RolePlacement to,
            java.util.function.ToIntFunction<String> queued, Placement current, Placement wanted) {
        if (!Guardrails.promotes(from, to) || !onWholeGpu(model, role, to) || onWholeGpu(model, role, from)) {
            return false;
        }
        return model.roles().keySet().stream().anyMatch(r -> queued.applyAsInt(r) > 0
                && model.role(r).fallback().map(role::equals).orElse(false)
                && !onWholeGpu(model, r, wanted.roles().getOrDefault(r, current.of(r))));
    }

    /** A role with requests waiting substituted onto a fallback on the whole GPU: the last step of a hand-over. */
    static boolean handsQueueOver(ResidencyModel model, String role, RolePlacement to, int queued, Observation obs) {
        return to.state() == ResidencyState.S6 && queued > 0 && model.role(role).fallback().filter(model::manages)
                .map(f -> !obs.inTransit().contains(f) && onWholeGpu(model, f, obs.current().of(f))).orElse(false);
    }

    private static boolean onWholeGpu(ResidencyModel model, String role, RolePlacement p) {
        return model.admissible(role, p) && model.wholeGpu(role, p);
    }

    /** A demotion that releases GPU memory or host RAM. */
    private static boolean makesRoom(ResidencyModel model, Transition t, Observation obs) {
        Footprint a = model.footprint(t.role(), t.from());
        Footprint b = model.footprint(t.role(), t.to());
        return Guardrails.demotes(t.from(), t.to()) && (b.gpuBytes() < a.gpuBytes() || b.hostBytes() < a.hostBytes());
    }

    /**
     * A substituted role leaving S6 while its fallback is off the GPU (or partly) in {@code p}: the substitution's
     * premise is gone, so it may move whatever its dwell and the window say.
     */
    static boolean followsFallback(ResidencyModel model, Transition t, Placement p) {
        if (t.from().state() != ResidencyState.S6 || t.to().state() == ResidencyState.S6) {
            return false;
        }
        return model.role(t.role()).fallback().filter(model::manages).map(f -> !model.wholeGpu(f, p.of(f)))
                .orElse(false);
    }

    private static void check(Case c, Map<String, Integer> seen) {
        ResidencyModel model = c.world().model();
        Guardrails g = new Guardrails(model, SETTINGS);
        Observation obs = c.obs();
        GuardedPlan out = g.apply(c.wanted(), obs, c.history());
        if (!out.transitions().isEmpty()) {
            seen.merge("transitions", 1, Integer::sum);
        }
        out.vetoes().forEach(v -> seen.merge(v.reason().name(), 1, Integer::sum));

        // every intermediate placement fits (the current one does, by construction of the world)
        assertTrue(model.fits(obs.current()));
        Placement p = obs.current();
        Footprint before = model.footprint(p);
        Map<String, Integer> changes = new HashMap<>();
        for (Transition t : out.transitions()) {
            assertEquals(p.of(t.role()), t.from(), "transition starts where the role is");
            assertTrue(Ladder.legal(t.from(), t.to()), "legal edge: " + t);
            assertTrue(model.admissible(t.role(), t.to()), "admissible target (pins, precision floor): " + t);
            ResidentRole r = model.role(t.role());
            r.pin().ifPresent(pin -> assertTrue(t.to().depth() <= pin.ordinal(), "pin holds: " + t));
            assertFalse(obs.inTransit().contains(t.role()), "role in transit untouched: " + t);
            // a busy role may be planned down: "no demotion with requests in flight" is the drain that the actuator
            // and the simulator do before they carry a transition out (ActuatorTest, SimulatorTest)
            Double last = c.lastChange().get(t.role());
            if (last != null && obs.nowSeconds() - last < SETTINGS.dwellSeconds()) {
                boolean forQueue = (obs.queued(t.role()) > 0
                        && (Guardrails.promotes(t.from(), t.to()) || t.to().state() == ResidencyState.S6))
                        || takesOver(model, t.role(), t.from(), t.to(), obs::queued, obs.current(), c.wanted());
                assertTrue(forQueue || (demandLoad(c) && makesRoom(model, t, obs)) || followsFallback(model, t, p),
                        "within dwell only a move for queued requests, or making room for a load they wait for: "
                                + t);
            }
            p = p.with(t.role(), t.to());
            assertTrue(model.fits(p), "intermediate fits after " + t + ": " + model.footprint(p) + " of "
                    + model.budgets() + " (before " + before + ")");
            changes.merge(t.role(), 1, Integer::sum);
        }
        assertEquals(out.target(), p, "target is the result of the transitions");
        // window: non-urgent transitions never exceed the remaining allowance
        int used = c.history().countSince(obs.nowSeconds() - SETTINGS.windowSeconds());
        boolean urgentLoad = c.wanted().roles().keySet().stream().anyMatch(r -> !obs.inTransit().contains(r)
                && Guardrails.promotes(obs.current().of(r), c.wanted().of(r))
                && Ladder.legal(obs.current().of(r), c.wanted().of(r))
                && (urgent(g, model, r, obs) || takesOver(model, r, obs.current().of(r), c.wanted().of(r),
                        obs::queued, obs.current(), c.wanted())));
        long nonUrgent = out.transitions().stream()
                .filter(t -> !(urgent(g, model, t.role(), obs) && Guardrails.promotes(t.from(), t.to()))
                        && !(urgentLoad && makesRoom(model, t, obs)) && !followsFallback(model, t, out.target())
                        && !takesOver(model, t.role(), t.from(), t.to(), obs::queued, obs.current(), c.wanted())
                        && !handsQueueOver(model, t.role(), t.to(), obs.queued(t.role()), obs))
                .count();
        assertTrue(nonUrgent <= Math.max(0, SETTINGS.maxTransitionsPerWindow() - used),
                "window cap: " + nonUrgent + " non-urgent transitions with " + used + " used");
        // roles with waiting requests that cannot be served are reported as deferred, and only those
        for (String role : model.roles().keySet()) {
            boolean stuck = obs.queued(role) > 0 && !g.canServe(role, out.target());
            assertEquals(stuck, out.deferred().contains(role), "deferred iff queued and unservable: " + role);
        }
        // every wanted change is either carried out or vetoed with a reason
        for (String role : model.roles().keySet()) {
            RolePlacement from = obs.current().of(role);
            RolePlacement want = c.wanted().of(role);
            boolean noop = want.equals(from) || (!from.running() && want.state() == from.state());
            if (!noop && out.target().of(role).equals(obs.current().of(role))) {
                assertTrue(out.vetoes().stream().anyMatch(v -> v.role().equals(role)), "veto recorded for " + role);
            }
        }
    }
}
