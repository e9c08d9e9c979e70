package dev.echelon.simulate;

import dev.echelon.cost.ServiceCost;
import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.VariantSpec;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Ladder;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.RolePlacement;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

class SimulatorTest {

    private static final ResidencyModel MODEL = SimFixtures.MODEL;
    private static final Placement INITIAL = MODEL.initialPlacement();
    private static final RolePlacement ARCHITECT_GPU = allGpu("architect");
    /** Coder and architect cold: room on the GPU for the architect. */
    private static final Placement COLD = INITIAL.with("architect", RolePlacement.cold("q4_k_m"))
            .with("coder", RolePlacement.cold("q4_k_m"));
    private static final Placement ARCHITECT_UP = COLD.with("architect", ARCHITECT_GPU);

    @Test
    void aRequestToAColdRolePaysExactlyTheLoadAndItsPrefill() {
        Request q = new Request(0, 100, "architect", 1200, 50);
        RunResult run = new Simulator(MODEL).run(SimFixtures.scripted((t, role) -> t >= 100 ? ARCHITECT_UP : COLD),
                SimFixtures.trace(List.of(q), 200));
        RequestOutcome o = run.outcomes().get(0);
        double load = MODEL.transitionSeconds("architect", RolePlacement.cold("q4_k_m"), ARCHITECT_GPU);
        ServiceCost c = MODEL.service("architect", ARCHITECT_GPU, 1200, 1);
        assertEquals(load + c.ttftSeconds(), o.ttftSeconds(), 1e-9);
        assertEquals(100 + load, o.startSeconds(), 1e-9);
        assertEquals(100 + load + c.totalSeconds(50), o.finishSeconds(), 1e-9);
        assertEquals(ARCHITECT_GPU, o.placement());
        assertTrue(o.gpuHit());
    }

    @Test
    void aSecondRequestQueuesForTheOnlySlot() {
        Request a = new Request(0, 50, "architect", 2000, 300);
        Request b = new Request(1, 50.5, "architect", 800, 100);
        RunResult run = new Simulator(MODEL).run(SimFixtures.scripted((t, role) -> ARCHITECT_UP),
                SimFixtures.trace(List.of(a, b), 200));
        ServiceCost ca = MODEL.service("architect", ARCHITECT_GPU, 2000, 1);
        ServiceCost cb = MODEL.service("architect", ARCHITECT_GPU, 800, 1);
        RequestOutcome oa = run.outcomes().get(0);
        RequestOutcome ob = run.outcomes().get(1);
        assertEquals(ca.ttftSeconds(), oa.ttftSeconds(), 1e-9);
        double firstDone = 50 + ca.totalSeconds(300);
        assertEquals(firstDone, ob.startSeconds(), 1e-9);
        assertEquals(firstDone - 50.5 + cb.ttftSeconds(), ob.ttftSeconds(), 1e-9);
    }

    @Test
    void parallelSlotsDecodeSlowerTogether() {
        // the front door has 4 slots: two requests at once both start at once, the second decoding beside the first
        Request a = new Request(0, 10, "frontdoor", 100, 200);
        Request b = new Request(1, 10.001, "frontdoor", 100, 200);
        RunResult run = new Simulator(MODEL).run(SimFixtures.scripted((t, role) -> INITIAL),
                SimFixtures.trace(List.of(a, b), 60));
        RolePlacement fd = INITIAL.of("frontdoor");
        assertEquals(MODEL.service("frontdoor", fd, 100, 1).tpotSeconds(), run.outcomes().get(0).tpotSeconds(), 1e-12);
        assertEquals(MODEL.service("frontdoor", fd, 100, 2).tpotSeconds(), run.outcomes().get(1).tpotSeconds(), 1e-12);
        assertTrue(run.outcomes().get(1).tpotSeconds() > run.outcomes().get(0).tpotSeconds());
        assertEquals(10.001, run.outcomes().get(1).startSeconds(), 1e-9);
    }

    @Test
    void aSubstitutedRoleIsServedByItsFallback() {
        Placement coderOut = INITIAL.with("coder", RolePlacement.substituted("q4_k_m"))
                .with("architect", ARCHITECT_GPU);
        Request q = new Request(0, 60, "coder", 500, 40);
        RunResult run = new Simulator(MODEL).run(SimFixtures.scripted((t, role) -> coderOut),
                SimFixtures.trace(List.of(q), 120));
        RequestOutcome o = run.outcomes().get(0);
        assertEquals("architect", o.servedBy());
        assertTrue(o.byFallback());
        assertEquals(MODEL.service("architect", ARCHITECT_GPU, 500, 1).ttftSeconds(), o.ttftSeconds(), 1e-9);
    }

    @Test
    void aRequestStuckBehindABusyHotRoleOverflowsToItsHotFallbackWithinTheBudget() {
        // math (1 slot) and its fallback worker (2 slots) both on the GPU; four long math requests at once. The first
        // two wait less than twice math's 3 s objective; the third would wait two answers and goes to the idle
        // worker; the fourth would too, but one overflow is all a budget of 2 % of four arrivals allows
        Placement both = COLD.with("math", allGpu("math")).with("worker", allGpu("worker"));
        List<Request> burst = List.of(new Request(0, 10, "math", 500, 400), new Request(1, 10.1, "math", 500, 400),
                new Request(2, 10.2, "math", 500, 400), new Request(3, 10.3, "math", 500, 400));
        RunResult run = new Simulator(MODEL).run(overflowing(SimFixtures.scripted((t, role) -> both)),
                SimFixtures.trace(burst, 120));
        double answer = MODEL.service("math", both.of("math"), 500, 1).totalSeconds(400);
        assertTrue(answer < 6 && 2 * answer > 6, "the fixture's answer length puts the third request past 6 s");
        List<String> servedBy = run.outcomes().stream().map(RequestOutcome::servedBy).toList();
        assertEquals(List.of("math", "math", "worker", "math"), servedBy);
        RequestOutcome over = run.outcomes().get(2);
        assertTrue(over.byFallback());
        assertEquals(MODEL.service("worker", both.of("worker"), 500, 1).ttftSeconds(), over.ttftSeconds(), 1e-9);
        checkPhysics(MODEL, run);

        // the same burst with the worker on the CPU (its prefill would miss the objective), or for a policy without
        // the rule: every request waits for math
        Placement workerOnCpu = both.with("worker", RolePlacement.cpu("q4_k_m"));
        assertEquals(List.of("math", "math", "math", "math"), new Simulator(MODEL)
                .run(overflowing(SimFixtures.scripted((t, role) -> workerOnCpu)), SimFixtures.trace(burst, 120))
                .outcomes().stream().map(RequestOutcome::servedBy).toList());
        assertEquals(List.of("math", "math", "math", "math"), new Simulator(MODEL)
                .run(SimFixtures.scripted((t, role) -> both), SimFixtures.trace(burst, 120))
                .outcomes().stream().map(RequestOutcome::servedBy).toList());
    }

    /** {@code policy} with the default {@link Overflow} rule on its request path. */
    private static ResidencyPolicy overflowing(ResidencyPolicy policy) {
        Overflow rule = new Overflow(Overflow.Settings.DEFAULTS);
        return new ResidencyPolicy() {
            @Override
            public String name() {
                return policy.name();
            }

            @Override
            public Decision onRequest(Observation now, String role) {
                return policy.onRequest(now, role);
            }

            @Override
            public Decision onTick(Observation now) {
                return policy.onTick(now);
            }

            @Override
            public Optional<Overflow> overflow() {
                return Optional.of(rule);
            }
        };
    }

    @Test
    void aRequestNoPolicyServesIsReportedUnservedWithItsWait() {
        Request q = new Request(0, 30, "architect", 500, 40);
        RunResult run = new Simulator(MODEL, new Simulator.Settings(1, 60)).run(
                SimFixtures.scripted((t, role) -> COLD), SimFixtures.trace(List.of(q), 100));
        RequestOutcome o = run.outcomes().get(0);
        assertFalse(o.served());
        assertEquals(run.endSeconds() - 30, o.ttftSeconds(), 1e-9);
        assertTrue(run.endSeconds() >= 100);
    }

    @Test
    void aBusyRoleIsDemotedOnlyWhenItHasDrained() {
        // the architect serves a long request from t = 10; the policy evicts it at t = 12
        Request q = new Request(0, 10, "architect", 2000, 800);
        RunResult run = new Simulator(MODEL).run(SimFixtures.scripted((t, role) -> t < 12 ? ARCHITECT_UP : COLD),
                SimFixtures.trace(List.of(q), 100));
        RequestOutcome o = run.outcomes().get(0);
        Timeline.Change eviction = run.timeline().changes().stream()
                .filter(c -> c.transition().role().equals("architect") && c.atSeconds() > 5).findFirst().orElseThrow();
        assertEquals(ResidencyState.S4, eviction.transition().to().state());
        assertEquals(o.finishSeconds(), eviction.atSeconds(), 1e-9);
    }

    @Test
    void aDeferredRoleIsDemotedOnceItsRequestsInFlightFinishAndItsQueueFollowsIt() {
        // the architect serves a long request from t = 10, a second one queues behind it; from t = 12 the policy
        // evicts the architect and defers its requests (it starts nothing new), and loads it again at t = 300. A
        // demotion that waited for the queue to empty would wait for ever (the deferred queue never moves): it
        // waits for the request in flight only, and the queued one is served after the reload
        Request first = new Request(0, 10, "architect", 2000, 800);
        Request queued = new Request(1, 11, "architect", 500, 50);
        ResidencyPolicy evictDeferred = new ResidencyPolicy() {
            @Override
            public String name() {
                return "evict-deferred";
            }

            @Override
            public Decision onRequest(Observation now, String role) {
                return onTick(now);
            }

            @Override
            public Decision onTick(Observation now) {
                double t = now.nowSeconds();
                return t < 12 ? Decision.keep(ARCHITECT_UP, "serve")
                        : t < 300 ? new Decision(COLD, "evict, hold its queue", java.util.Set.of("architect"))
                        : Decision.keep(ARCHITECT_UP, "reload");
            }
        };
        RunResult run = new Simulator(MODEL).run(evictDeferred, SimFixtures.trace(List.of(first, queued), 400));
        RequestOutcome a = run.outcomes().get(0);
        RequestOutcome b = run.outcomes().get(1);
        Timeline.Change eviction = run.timeline().changes().stream()
                .filter(c -> c.transition().role().equals("architect") && c.atSeconds() > 5).findFirst().orElseThrow();
        assertEquals(ResidencyState.S4, eviction.transition().to().state());
        assertEquals(a.finishSeconds(), eviction.atSeconds(), 1e-9);
        double reload = MODEL.transitionSeconds("architect", RolePlacement.cold("q4_k_m"), ARCHITECT_GPU);
        assertEquals(300 + reload, b.startSeconds(), 1e-9);
        assertEquals(ARCHITECT_GPU, b.placement());
        checkPhysics(MODEL, run);
    }

    @Test
    void physicsHoldsForAnyPolicy() {
        TraceGenerator gen = new TraceGenerator(MODEL);
        qt().withFixedSeed(20261121L).withExamples(25).forAll(longs().all()).checkAssert(seed -> {
            Trace full = gen.generate(TraceFamily.values()[(int) Math.floorMod(seed, TraceFamily.values().length)],
                    seed, 600);
            RunResult run = new Simulator(MODEL, new Simulator.Settings(1, 600)).run(new ChaosPolicy(seed), full);
            checkPhysics(MODEL, run);
        });
    }

    /** Budgets never exceeded; only legal, admissible transitions; nothing served in S4/S5/S6; busy roles not moved. */
    static void checkPhysics(ResidencyModel model, RunResult run) {
        for (Timeline.Pressure p : run.timeline().pressure()) {
            assertTrue(p.gpuBytes() <= model.budgets().gpuBytes() && p.hostBytes() <= model.budgets().hostRamBytes(),
                    "over budget at " + p);
        }
        for (Timeline.Change c : run.timeline().changes()) {
            assertTrue(Ladder.legal(c.transition().from(), c.transition().to()));
            assertTrue(model.admissible(c.transition().role(), c.transition().to()));
        }
        for (RequestOutcome o : run.outcomes()) {
            if (!o.served()) {
                continue;
            }
            Timeline.Segment s = run.timeline().stateAt(o.servedBy(), o.startSeconds());
            assertNotNull(s);
            assertTrue(s.placement().running() && s.state() != ResidencyState.S5, "served in " + s + ": " + o);
            assertEquals(o.placement(), s.placement());
            for (Timeline.Change c : run.timeline().changes()) {
                if (c.transition().role().equals(o.servedBy())) {
                    assertFalse(c.atSeconds() > o.startSeconds() + 1e-9 && c.atSeconds() < o.finishSeconds() - 1e-9,
                            "moved " + c + " while serving " + o);
                }
            }
        }
    }

    /** Asks for random placements (often over budget, sometimes inadmissible) to stress the physics. */
    static final class ChaosPolicy implements ResidencyPolicy {

        private final SplittableRandom rnd;

        ChaosPolicy(long seed) {
            this.rnd = new SplittableRandom(seed);
        }

        @Override
        public String name() {
            return "chaos";
        }

        @Override
        public Decision onRequest(Observation now, String role) {
            return rnd.nextInt(3) == 0 ? random(now) : Decision.keep(now.current(), "keep");
        }

        @Override
        public Decision onTick(Observation now) {
            return rnd.nextInt(10) == 0 ? random(now) : Decision.keep(now.current(), "keep");
        }

        private Decision random(Observation now) {
            Placement p = now.current();
            for (String role : MODEL.roles().keySet()) {
                if (rnd.nextBoolean()) {
                    List<RolePlacement> opts = new ArrayList<>(MODEL.options(role));
                    opts.add(RolePlacement.cold("no-such-variant"));
                    p = p.with(role, opts.get(rnd.nextInt(opts.size())));
                }
            }
            return Decision.keep(p, "chaos");
        }
    }

    private static RolePlacement allGpu(String role) {
        VariantSpec v = MODEL.role(role).smallestVariant();
        return ResidencyModel.placementFor(v, v.layers());
    }
}
