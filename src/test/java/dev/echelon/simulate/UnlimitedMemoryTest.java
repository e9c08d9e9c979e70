package dev.echelon.simulate;

import dev.echelon.cost.ServiceCost;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;
import dev.echelon.stats.Percentile;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnlimitedMemoryTest {

    private static final ResidencyModel MODEL = SimFixtures.MODEL;

    @Test
    void everyRoleStartsOnTheWholeGpuAtItsLowestBitVariantAndTheBudgetsHoldThemAll() {
        ResidencyModel unlimited = UnlimitedMemory.unlimited(MODEL);
        for (String role : MODEL.roles().keySet()) {
            RolePlacement p = unlimited.initialPlacement().of(role);
            assertTrue(unlimited.wholeGpu(role, p), role + " at " + p);
            long leastBytes = MODEL.options(role).stream().filter(o -> MODEL.wholeGpu(role, o))
                    .mapToLong(o -> MODEL.footprint(role, o).gpuBytes()).min().orElseThrow();
            assertEquals(leastBytes, MODEL.footprint(role, p).gpuBytes(), role + ": decodes fastest at fewest bits");
        }
        assertTrue(unlimited.fits(unlimited.initialPlacement()));
        assertTrue(unlimited.footprint(unlimited.initialPlacement()).gpuBytes() > MODEL.budgets().gpuBytes(),
                "the shipped roles do not all fit on the real GPU, or the headroom would be the budget itself");
    }

    @Test
    void aRequestPaysOnlyItsPrefillAndTheWaitForItsRolesSlots() {
        RolePlacement coder = UnlimitedMemory.fastest(MODEL, "coder");
        Request a = new Request(0, 100, "coder", 2000, 300);
        Request b = new Request(1, 101, "coder", 500, 50);
        Request c = new Request(2, 102, "worker", 800, 100);
        UnlimitedMemory.Result r = new UnlimitedMemory(MODEL, Simulator.Settings.DEFAULT, RequestCost.DEFAULT)
                .replay(SimFixtures.trace(List.of(a, b, c), 400));
        ServiceCost ca = MODEL.service("coder", coder, 2000, 1);
        ServiceCost cb = MODEL.service("coder", coder, 500, 1);
        // the coder has one slot: b waits for a to finish; nothing waits for a load
        double waitB = 100 + ca.totalSeconds(300) - 101;
        assertEquals(waitB + cb.ttftSeconds(), r.p95Ttft(), 1e-9);
    }

    @Test
    void noPolicyThatServesRequestsOnTheirOwnRoleGetsBelowIt() {
        SimulationSuite suite = new SimulationSuite(MODEL, Simulator.Settings.DEFAULT,
                PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT), OfflineOptimum.Settings.DEFAULT);
        int compared = 0;
        for (TraceFamily family : List.of(TraceFamily.BURSTS, TraceFamily.SCAN)) {
            for (long seed = 1; seed <= 2; seed++) {
                SimulationSuite.FamilyResult f = suite.run(family, seed, 900,
                        List.of("ttl-lru", "swap-one", PolicyCatalog.PLANNER));
                for (RunResult run : f.runs()) {
                    if (run.outcomes().stream().anyMatch(RequestOutcome::byFallback)) {
                        continue; // a fallback may serve faster than the role itself: outside the bound
                    }
                    double[] ttft = run.outcomes().stream().mapToDouble(RequestOutcome::ttftSeconds).sorted()
                            .toArray();
                    assertTrue(Percentile.nearestRank(ttft, 0.95) >= f.unlimited().p95Ttft() - 1e-9,
                            run.policy() + " on " + family + " seed " + seed);
                    compared++;
                }
            }
        }
        assertTrue(compared >= 8, "too few runs served everything on its own role: " + compared);
    }
}
