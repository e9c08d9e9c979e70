package dev.echelon.simulate;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.policy.CountLruPolicy;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RbPolicy;
import dev.echelon.residency.policy.RequestCost;
import dev.echelon.residency.policy.StaticPolicy;
import dev.echelon.residency.policy.SwapOnePolicy;
import dev.echelon.residency.policy.TtlLruPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OfflineOptimumTest {

    /** Front door, worker and math with a 10 GiB GPU: worker and math do not both fit on it beside the front door. */
    private static final ResidencyModel SMALL = SimFixtures.subset(List.of("frontdoor", "worker", "math"),
            10L << 30, 64L << 30);

    @Test
    void theDpFindsTheCheapestScheduleAmongAllCandidates() {
        Trace trace = randomTrace(3, 30, 12);
        OfflineOptimum opt = new OfflineOptimum(SMALL, trace.known(), 30,
                new OfflineOptimum.Settings(10, 2, RequestCost.DEFAULT));
        assertEquals(3, opt.windows());
        List<Placement> c = opt.candidates();
        double best = Double.POSITIVE_INFINITY;
        for (Placement a : c) {
            for (Placement b : c) {
                for (Placement d : c) {
                    best = Math.min(best, opt.objectiveOf(List.of(a, b, d)));
                }
            }
        }
        assertEquals(best, opt.objective(), 1e-6 * best);
        assertEquals(opt.objective(), opt.objectiveOf(opt.schedule()), 1e-6 * best);
    }

    @Test
    void noPolicyBeatsTheOptimumOnItsOwnObjective() {
        Trace trace = randomTrace(7, 240, 60);
        OfflineOptimum opt = new OfflineOptimum(SMALL, trace.known(), 240,
                new OfflineOptimum.Settings(10, Integer.MAX_VALUE, RequestCost.DEFAULT));
        Simulator sim = new Simulator(SMALL);
        List<ResidencyPolicy> peers = List.of(new StaticPolicy(SMALL), new CountLruPolicy(SMALL),
                new TtlLruPolicy(SMALL), new SwapOnePolicy(SMALL), new RbPolicy(SMALL));
        for (ResidencyPolicy peer : peers) {
            RunResult run = sim.run(peer, trace);
            double theirs = opt.objectiveOf(Schedules.perWindow(run, 10, opt.windows()));
            assertTrue(opt.objective() <= theirs + 1e-9, peer.name() + ": " + theirs + " < " + opt.objective());
            if (peer instanceof StaticPolicy) {
                assertTrue(Double.isFinite(theirs), "a schedule that never moves is always feasible");
            }
        }
        // and random schedules over its candidates that change now and then (a move must have begun by the next
        // boundary, so schedules that change every few windows are mostly infeasible)
        SplittableRandom rnd = new SplittableRandom(11);
        List<Placement> c = opt.candidates();
        int finite = 0;
        for (int k = 0; k < 1000; k++) {
            List<Placement> schedule = new ArrayList<>();
            Placement p = c.get(rnd.nextInt(c.size()));
            for (int w = 0; w < opt.windows(); w++) {
                if (rnd.nextInt(12) == 0) {
                    p = c.get(rnd.nextInt(c.size()));
                }
                schedule.add(p);
            }
            double theirs = opt.objectiveOf(schedule);
            assertTrue(opt.objective() <= theirs + 1e-9, "random schedule: " + theirs + " < " + opt.objective());
            finite += Double.isFinite(theirs) ? 1 : 0;
        }
        assertTrue(finite >= 10, "enough feasible random schedules to mean something: " + finite);
    }

    @Test
    void itsReplayKeepsThePhysicsAndServesEveryRequest() {
        Trace trace = new TraceGenerator(SimFixtures.MODEL).generate(TraceFamily.ALTERNATING, 3, 900);
        OfflineOptimum opt = new OfflineOptimum(SimFixtures.MODEL, trace.known(), 900);
        RunResult run = new Simulator(SimFixtures.MODEL).run(opt, trace);
        SimulatorTest.checkPhysics(SimFixtures.MODEL, run);
        assertTrue(run.outcomes().stream().allMatch(RequestOutcome::served));
        assertTrue(opt.solveSeconds() > 0 && opt.candidateCount() > 100);
    }

    /**
     * The replay does what the plan costs: on these two traces the DP once chose schedules the simulator cannot carry
     * out (a drain judged against the next window's substitutes; a move still draining at the next boundary), and the
     * replay cost 29.1 s and 9.1 s per request against a plan of 3.4 s and 3.7 s, with requests never served.
     * Within 2.5 %: on workday seed 2 the replay costs 2.3 % more than the plan since roles left cold wait for the
     * next window (round 48), through the chain's known blind spot — a role demoted while a request its substitute
     * handed it windows back still runs on its CPU copy (math at 2,400 s) — where it was 0.2 % before.
     */
    @Test
    void itsReplayCostsWhatItsPlanSays() {
        for (TraceFamily family : List.of(TraceFamily.DRIFT, TraceFamily.WORKDAY)) {
            long seed = family == TraceFamily.DRIFT ? 3 : 2;
            Trace trace = new TraceGenerator(SimFixtures.MODEL).generate(family, seed, 3600);
            OfflineOptimum opt = new OfflineOptimum(SimFixtures.MODEL, trace.known(), 3600);
            RunResult run = new Simulator(SimFixtures.MODEL).run(opt, trace);
            assertTrue(run.outcomes().stream().allMatch(RequestOutcome::served), family + " seed " + seed);
            double replayed = run.outcomes().stream().mapToDouble(o -> o.cost(RequestCost.DEFAULT)).sum();
            assertEquals(opt.objective(), replayed, 0.025 * opt.objective(), family + " seed " + seed);
        }
    }

    /**
     * A request for a role left cold (S4) waits for the next window, as in the simulator, where the role is loaded at
     * the boundary: it costs its wait for that load, not the unserved penalty. Before, the programme could only
     * substitute such a role or load it for the whole window, and a fast coder's replay under {@code ttl-lru}, which
     * loads on the request, came out 15–21 % cheaper than the optimum's (residency-round48).
     */
    @Test
    void aRequestForAColdRoleWaitsForTheNextWindowsLoad() {
        var math = SMALL.role("math").smallestVariant();
        RolePlacement hot = ResidencyModel.placementFor(math, math.layers());
        RolePlacement cold = RolePlacement.cold(math.name());
        Placement base = SMALL.initialPlacement().with("worker", RolePlacement.cold(
                SMALL.role("worker").smallestVariant().name()));
        Trace trace = SimFixtures.trace(List.of(new Request(0, 5, "math", 400, 100)), 20);
        OfflineOptimum opt = new OfflineOptimum(SMALL, trace.known(), 20,
                new OfflineOptimum.Settings(10, 2, RequestCost.DEFAULT), base.with("math", cold));
        assertEquals(2, opt.windows());

        double served = opt.objectiveOf(List.of(base.with("math", hot), base.with("math", hot)));
        double waited = opt.objectiveOf(List.of(base.with("math", cold), base.with("math", hot)));
        double load = SMALL.transitionSeconds("math", cold, hot);
        // loaded in window 0 before the request came; waited: from 5 s to the boundary, then the load (on the grid)
        assertTrue(waited - served >= 5 + load - 1e-9 && waited - served <= 5 + load + 0.5,
                "waited " + waited + " vs served at once " + served + " with a " + load + " s load");
        assertTrue(opt.objectiveOf(List.of(base.with("math", cold), base.with("math", cold)))
                >= OfflineOptimum.UNSERVED_PENALTY_SECONDS, "cold to the end: unserved");

        OfflineOptimum strict = new OfflineOptimum(SMALL, trace.known(), 20,
                new OfflineOptimum.Settings(10, 2, RequestCost.DEFAULT, false), base.with("math", cold));
        assertTrue(strict.objectiveOf(List.of(base.with("math", cold), base.with("math", hot)))
                >= OfflineOptimum.UNSERVED_PENALTY_SECONDS, "without cold waits the request is unserved at once");
    }

    /**
     * Where the GPU holds the front door and one of worker and math, the worker has a request in the first window
     * (so the GPU is the worker's for that window) and the math request has a long prompt (slow on the CPU), the
     * schedule leaves math cold and loads it at the boundary, ahead of its fallback's 30 s penalty and of the CPU;
     * the replay serves the request then and costs what the plan says.
     */
    @Test
    void theScheduleLeavesARoleColdForALoadAtTheBoundaryAndTheReplayFollows() {
        var worker = SMALL.role("worker").smallestVariant();
        long gpu = SMALL.footprint("frontdoor", SMALL.initialPlacement().of("frontdoor")).gpuBytes()
                + SMALL.footprint("worker", ResidencyModel.placementFor(worker, worker.layers())).gpuBytes()
                + (256L << 20);
        ResidencyModel tight = SimFixtures.subset(List.of("frontdoor", "worker", "math"), gpu, 64L << 30);
        Trace trace = SimFixtures.trace(List.of(new Request(0, 0.5, "worker", 200, 150),
                new Request(1, 5, "math", 2000, 300)), 20);
        OfflineOptimum opt = new OfflineOptimum(tight, trace.known(), 20,
                new OfflineOptimum.Settings(10, 2, RequestCost.DEFAULT));
        List<Placement> schedule = opt.schedule();
        assertEquals(ResidencyState.S4, schedule.get(0).stateOf("math"), schedule.toString());
        assertTrue(schedule.get(1).of("math").onGpu(), schedule.toString());
        assertTrue(schedule.get(0).of("worker").onGpu(), schedule.toString());

        RunResult run = new Simulator(tight).run(opt, trace);
        assertTrue(run.outcomes().stream().allMatch(RequestOutcome::served));
        RequestOutcome math = run.outcomes().get(1);
        assertTrue(math.startSeconds() > 10, "served after the boundary's load: " + math);
        double replayed = run.outcomes().stream().mapToDouble(o -> o.cost(RequestCost.DEFAULT)).sum();
        // the plan starts the load's service on its grid of offsets (12 s here for 11.56 s)
        assertEquals(opt.objective(), replayed, 0.6);
    }

    /** Requests for the three roles of {@link #SMALL}, uniformly spread. */
    private static Trace randomTrace(long seed, double duration, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String[] roles = {"frontdoor", "worker", "math"};
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            times.add(rnd.nextDouble() * duration);
        }
        times.sort(Double::compare);
        List<Request> out = new ArrayList<>();
        for (double t : times) {
            out.add(new Request(out.size(), t, roles[rnd.nextInt(3)], 50 + rnd.nextInt(1500), 20 + rnd.nextInt(400)));
        }
        return SimFixtures.trace(out, duration);
    }
}
