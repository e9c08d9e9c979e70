package dev.echelon.simulate;

import dev.echelon.residency.Overflow;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.control.PlannerConfig;
import dev.echelon.residency.policy.OfflineOptimum;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's planner runs with the planning settings ({@code --planner}) and the overflow ({@code --overflow}) it
 * was given, and only the planner has an overflow.
 */
class PolicyCatalogTest {

    private static final Trace BURSTS = new TraceGenerator(SimFixtures.MODEL).generate(TraceFamily.BURSTS, 1, 900);

    @Test
    void onlyThePlannerHasAnOverflowAndItIsTheOneGiven() {
        Overflow.Settings given = new Overflow.Settings(3, 0.04, 300, 0.9, 1800);
        PolicyCatalog on = PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT, PlannerConfig.Values.DEFAULTS,
                Optional.of(given));
        PolicyCatalog off = PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT, PlannerConfig.Values.DEFAULTS,
                Optional.empty());
        for (String name : on.names()) {
            ResidencyPolicy p = on.create(name, SimFixtures.MODEL, BURSTS);
            assertEquals(name.equals(PolicyCatalog.PLANNER) ? Optional.of(given) : Optional.empty(),
                    p.overflow().map(Overflow::settings), name);
            assertEquals(Optional.empty(), off.create(name, SimFixtures.MODEL, BURSTS).overflow(), name);
        }
        assertEquals(Optional.of(Overflow.Settings.DEFAULTS), PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT)
                .create(PolicyCatalog.PLANNER, SimFixtures.MODEL, BURSTS).overflow().map(Overflow::settings));
    }

    @Test
    void aLooserOverflowServesMoreOfTheSameTraceOnFallbacksThanNone() {
        // bursts, seed 42, 20 min: 0 of 179 requests on a fallback with none, 6 with the loose one (1 at the defaults)
        long off = fallbackServed(Optional.empty());
        // every request expected past its objective at all may go, however many and however the recent tail looks
        long loose = fallbackServed(Optional.of(new Overflow.Settings(1, 1, 600, 0, 3600)));
        assertTrue(loose > off, "fallback-served requests: " + loose + " with a loose overflow, " + off + " with none");
    }

    @Test
    void aLongerDwellAndATighterCapMoveLessOnTheSameTraceAndNoDwellMore() {
        // workday, seed 42, 20 min: 34 transitions at the defaults, 24 held, 44 without a dwell
        Optional<Overflow.Settings> overflow = Optional.of(Overflow.Settings.DEFAULTS);
        int defaults = planner(TraceFamily.WORKDAY, PlannerConfig.Values.DEFAULTS, overflow).transitions();
        int held = planner(TraceFamily.WORKDAY, PlannerConfig.parse("min-dwell-ms=300000,max-transitions=1"),
                overflow).transitions();
        int restless = planner(TraceFamily.WORKDAY, PlannerConfig.parse("min-dwell-ms=0"), overflow).transitions();
        assertTrue(held < defaults && defaults < restless,
                "transitions: " + held + " held, " + defaults + " at the defaults, " + restless + " with no dwell");
    }

    private static long fallbackServed(Optional<Overflow.Settings> overflow) {
        return planner(TraceFamily.BURSTS, PlannerConfig.Values.DEFAULTS, overflow).outcomes().stream()
                .filter(RequestOutcome::byFallback).count();
    }

    private static RunResult planner(TraceFamily family, PlannerConfig.Values planning,
            Optional<Overflow.Settings> overflow) {
        SimulationSuite suite = new SimulationSuite(SimFixtures.MODEL, Simulator.Settings.DEFAULT,
                PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT, planning, overflow),
                OfflineOptimum.Settings.DEFAULT);
        return suite.run(family, 42, 1200, List.of(PolicyCatalog.PLANNER)).runs().get(0);
    }
}
