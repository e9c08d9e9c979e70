package dev.echelon.simulate;

import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegretAnchorTest {

    private static final RequestCost COST = RequestCost.DEFAULT;

    @Test
    void aPeerWhoseReplayBeatsTheOptimumAnchorsRegretAndTheOptimumShowsItsOwn() {
        List<RunResult> runs = List.of(run("ttl-lru", 2.0), run("planner", 2.5), run(OfflineOptimum.NAME, 2.4));
        RegretAnchor anchor = RegretAnchor.cheapest(runs, COST).orElseThrow();

        assertEquals("ttl-lru", anchor.policy());
        assertTrue(anchor.beatsTheOptimum());
        assertEquals(2.0, anchor.meanCost(), 1e-12);
        double[] expected = {0, 0.25, 0.20}; // the peer itself; the planner against it; the beaten optimum's own
        for (int i = 0; i < runs.size(); i++) {
            PolicyMetrics m = PolicyMetrics.of(SimFixtures.MODEL, COST, runs.get(i), runs.get(2), anchor);
            assertEquals(expected[i], m.regret(), 1e-12, m.policy());
            assertEquals(m.p95Ttft() / runs.get(2).outcomes().get(3).ttftSeconds(), m.p95VsOptimum(), 1e-12,
                    "the p95 still compares with the optimum's replay: " + m.policy());
        }
    }

    @Test
    void aTableNamesTheAnchorOnlyWhereItIsNotTheOptimum() {
        assertEquals(" (vs ttl-lru)", RegretAnchor.note("ttl-lru"));
        assertEquals("", RegretAnchor.note(OfflineOptimum.NAME));
        assertEquals("", RegretAnchor.note(null), "no anchor: a run without the optimum, and no regret to qualify");
    }

    @Test
    void whereNothingBeatsTheOptimumItIsTheAnchorTiesIncluded() {
        RegretAnchor anchor = RegretAnchor.cheapest(
                List.of(run("planner", 3.0), run("ttl-lru", 2.0), run(OfflineOptimum.NAME, 2.0)), COST).orElseThrow();
        assertEquals(OfflineOptimum.NAME, anchor.policy());
        assertFalse(anchor.beatsTheOptimum());
        assertEquals(0.5, anchor.regretOf(3.0), 1e-12);
    }

    @Test
    void withoutTheOptimumInTheRunThereIsNoAnchorAndNoRegret() {
        List<RunResult> runs = List.of(run("planner", 3.0), run("ttl-lru", 2.0));
        assertEquals(Optional.empty(), RegretAnchor.cheapest(runs, COST));
        PolicyMetrics m = PolicyMetrics.of(SimFixtures.MODEL, COST, runs.get(0), null, null);
        assertTrue(Double.isNaN(m.regret()), "no optimum, no regret: " + m.regret());
    }

    @Test
    void aRealRunsRegretsAreAgainstItsCheapestReplay() {
        SimulationSuite suite = new SimulationSuite(SimFixtures.MODEL, Simulator.Settings.DEFAULT,
                PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT), OfflineOptimum.Settings.DEFAULT);
        SimulationSuite.FamilyResult f = suite.run(TraceFamily.BURSTS, 1, 900,
                List.of("ttl-lru", "planner", OfflineOptimum.NAME));
        RegretAnchor anchor = f.anchor().orElseThrow();
        double cheapest = f.metrics().stream().mapToDouble(PolicyMetrics::meanCost).min().orElseThrow();
        assertEquals(cheapest, anchor.meanCost(), 1e-12);
        for (PolicyMetrics m : f.metrics()) {
            assertEquals((m.meanCost() - cheapest) / cheapest, m.regret(), 1e-12, m.policy());
            assertTrue(m.regret() >= 0, m.policy() + " below the cheapest replay: " + m.regret());
        }
        assertEquals(anchor.policy(), TargetCheck.of(f).orElseThrow().regretAnchor());
    }

    /**
     * A replay whose every request went unserved after waiting {@code meanCost} seconds: an unserved request costs
     * the time it waited, so the run's mean cost is exactly that.
     */
    private static RunResult run(String policy, double meanCost) {
        List<Request> requests = IntStream.range(0, 4).mapToObj(i -> new Request(i, i, "worker", 10, 10)).toList();
        List<RequestOutcome> out = requests.stream()
                .map(q -> RequestOutcome.unserved(q, q.arrivalSeconds() + meanCost)).toList();
        return new RunResult(policy, new Trace(TraceFamily.BURSTS, 1, 4, requests), out, null, 0, 0, 0, 0,
                4 + meanCost, 0, 0, 0);
    }
}
