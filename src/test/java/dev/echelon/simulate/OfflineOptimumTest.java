package dev.echelon.simulate;

import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
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
            assertEquals(opt.objective(), replayed, 0.02 * opt.objective(), family + " seed " + seed);
        }
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
