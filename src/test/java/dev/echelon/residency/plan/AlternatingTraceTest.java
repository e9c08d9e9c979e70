package dev.echelon.residency.plan;

import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.Transition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * An alternating A/B/A/B trace causes a bounded number of transitions.
 *
 * <p>Two bounds are checked.
 * <ol>
 *   <li><b>Hard, from the guardrails alone</b> (any world, any forecast): non-urgent transitions are at most
 *       {@code maxTransitionsPerWindow} per window, so over T seconds at most max × (⌊T / W⌋ + 1). Urgent ones (loading a
 *       role that cannot serve while requests wait) bypass the cap, but a role can only be unable to serve at the start
 *       or after a transition into S4/S6 (its own, or its fallback's, which may strand every role it substitutes),
 *       and at most two urgent promotions (S6 → S4 → running) lift it out again: urgent ≤ 2 × roles ×
 *       (1 + transitions into S4/S6).</li>
 *   <li><b>Tight, on the shipped registry</b>: with a 20 s period over 30 minutes at most 2 transitions per managed
 *       role (10). Why: the forecaster reads a fast alternation as its mean (each side ≈ half the active rate, no
 *       shift: {@link ForecasterTest#fastAlternationDoesNotFlipTheForecast}), so after the first plan the demand is
 *       stationary and the optimum a fixed point; a role moves once to its steady placement and at most once more
 *       to load it on demand. Slower alternations that the forecaster does follow are damped by the guardrails' flap
 *       damping (dwell doubling per reversal).</li>
 * </ol>
 */
class AlternatingTraceTest {

    private static final double HALF_HOUR = 1800;

    static List<PolicyDriver.Arrival> alternating(String a, String b, double period, double rate, double until) {
        List<PolicyDriver.Arrival> out = new ArrayList<>();
        for (double t = 0; t < until; t += 1 / rate) {
            boolean first = (t % period) < period / 2;
            out.add(new PolicyDriver.Arrival(t, first ? a : b));
        }
        return out;
    }

    @Test
    void fastAlternationOnTheShippedRegistryBarelyMovesAnything() {
        ResidencyModel model = PlanFixtures.shippedModel();
        String[][] pairs = {{"coder", "architect"}, {"worker", "math"}, {"coder", "worker"}, {"architect", "math"}};
        for (String[] pair : pairs) {
            PolicyDriver d = new PolicyDriver(model, model.initialPlacement(), PlannerSettings.DEFAULTS,
                    ForecastSettings.DEFAULTS, GuardrailSettings.DEFAULTS, 3);
            d.run(alternating(pair[0], pair[1], 20, 1, HALF_HOUR), HALF_HOUR);
            int bound = 2 * model.roles().size();
            assertTrue(d.transitions().size() <= bound, pair[0] + "/" + pair[1] + ": " + d.transitions().size()
                    + " transitions > " + bound + ": " + d.transitions());
        }
    }

    @Test
    void anyAlternationStaysWithinTheGuardrailBound() {
        // a fixed QuickTheories seed keeps CI reproducible; the examples still vary world, guardrails and trace
        qt().withFixedSeed(20261121L).withExamples(8).forAll(integers().between(2, 6), longs().all())
                .checkAssert(AlternatingTraceTest::alternationWithinBound);
    }

    /** A world a wider seed scan flagged for dwell (fixed by counting an arrival where the planner serves it). */
    @Test
    void scannedWorldFive() {
        alternationWithinBound(4, 5L);
    }

    /**
     * A world a wider seed scan flagged: one role cycled S2 → S4 → S2 (fewer layers) → S6 → S2 …, with four
     * non-urgent transitions in a window capped at three. The S2 → S4 → S2 step is the guardrails' stop-first detour
     * (two transitions for whoever carries out the plan), which the planner's history had booked once, because
     * successive observations show only its two ends; it now books every step of the planned chain.
     */
    @Test
    void scannedWorldEightyFour() {
        alternationWithinBound(4, 84L);
    }

    private static void alternationWithinBound(int roles, long seed) {
            RandomModels.World w = RandomModels.world(roles, seed);
            Random rnd = new Random(seed * 7 + 3);
            List<String> names = new ArrayList<>(w.model().roles().keySet());
            GuardrailSettings guard = new GuardrailSettings(5 + rnd.nextInt(40), 30 + rnd.nextInt(60),
                    1 + rnd.nextInt(6), rnd.nextBoolean() ? 0 : 600, 3);
            double period = 10 + rnd.nextInt(110);
            double rate = 0.2 + rnd.nextDouble() * 2;
            PolicyDriver d = new PolicyDriver(w.model(), w.current(), PlannerSettings.DEFAULTS,
                    ForecastSettings.DEFAULTS, guard, 1 + rnd.nextInt(5));
            d.run(alternating(names.get(0), names.get(1), period, rate, HALF_HOUR), HALF_HOUR);

            EchelonPlannerPropertiesTest.assertWindowHolds(d, guard);
            long urgent = d.urgentCount();
            long nonUrgent = d.transitions().size() - urgent;
            long intoCold = d.transitions().stream().map(Transition::to).filter(p -> !p.running()).count();
            long nonUrgentBound = (long) guard.maxTransitionsPerWindow()
                    * ((long) Math.floor(HALF_HOUR / guard.windowSeconds()) + 1);
            assertTrue(nonUrgent <= nonUrgentBound, nonUrgent + " non-urgent > " + nonUrgentBound);
            assertTrue(urgent <= 2L * roles * (1 + intoCold), urgent + " urgent with " + intoCold + " into S4/S6");
    }
}
