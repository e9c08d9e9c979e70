package dev.echelon.residency.plan;

import dev.echelon.residency.ResidencyModel;
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
 *       {@code maxTransitionsPerWindow} per window, so over T seconds at most max × (⌊T / W⌋ + 1). Urgent ones bypass
 *       the cap: loading a role whose requests wait and that cannot serve them at GPU speed, and the demotions that
 *       make room for such a load in the same decision. A role is that slow only at the start or after a demotion (its
 *       own, or its fallback's, which may strand every role it substitutes), and every urgent load is a promotion, of
 *       which a role has at most its ladder's height (its options) in a row: urgent loads ≤ ladder × roles ×
 *       (1 + demotions); each makes room by demoting at most every other role: evictions ≤ (roles − 1) × urgent. A
 *       substituted role leaves S6 outside the window when its fallback leaves the GPU, at most once per such
 *       demotion and dependent: follows ≤ (roles − 1) × demotions.</li>
 *   <li><b>Tight, on the shipped registry</b>, a 20 s period over 30 minutes: a pair that fits together in GPU
 *       memory is loaded once and stays (nothing is evicted without need): at most 2 transitions per managed role
 *       (10). A pair that does not fit is swapped on demand, as a reactive loader would, but the reactive core's swap
 *       budget ({@link SwapBudget}) lets one pair swap (one evicted for the other, or substituted onto the other and
 *       taken back) at most {@link GuardrailSettings#maxSwapsPerPair} times in any flap window; each swap is at most
 *       two transitions (the victim's and the load), and every role may move once more to its first placement or to
 *       stage: at most 2 × swaps + 2 × roles transitions in any flap window. (Without the budget the round-6 core
 *       swapped the coder and the architect every few seconds: 239 transitions in these 30 minutes.)</li>
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
        double flap = GuardrailSettings.DEFAULTS.flapWindowSeconds();
        for (String[] pair : pairs) {
            PolicyDriver d = new PolicyDriver(model, model.initialPlacement(), PlannerSettings.DEFAULTS,
                    ForecastSettings.DEFAULTS, GuardrailSettings.DEFAULTS, 3);
            d.run(alternating(pair[0], pair[1], 20, 1, HALF_HOUR), HALF_HOUR);
            if (fitTogether(model, pair[0], pair[1])) {
                int bound = 2 * model.roles().size();
                assertTrue(d.transitions().size() <= bound, pair[0] + "/" + pair[1] + ": " + d.transitions().size()
                        + " transitions > " + bound + ": " + d.transitions());
                continue;
            }
            // every flap-window-long stretch, starting at each transition (the sliding window's worst case)
            int bound = 2 * GuardrailSettings.DEFAULTS.maxSwapsPerPair() + 2 * model.roles().size();
            for (double lo : d.transitionTimes()) {
                long n = d.transitionTimes().stream().filter(t -> t >= lo && t < lo + flap).count();
                assertTrue(n <= bound, pair[0] + "/" + pair[1] + ": " + n + " transitions > " + bound
                        + " in the flap window from " + lo + " s: " + d.transitionTimes());
            }
            assertTrue(d.transitions().size() <= (HALF_HOUR / flap + 1) * bound, pair[0] + "/" + pair[1] + ": "
                    + d.transitions().size() + " transitions in " + HALF_HOUR + " s");
        }
    }

    /** Both roles fit in GPU memory at once (smallest variants, all layers), beside the pinned front door. */
    private static boolean fitTogether(ResidencyModel model, String a, String b) {
        var p = model.initialPlacement().map((r, rp) -> {
            var v = model.role(r).smallestVariant();
            return r.equals(a) || r.equals(b) || model.role(r).pin().isPresent()
                    ? ResidencyModel.placementFor(v, v.layers()) : dev.echelon.residency.RolePlacement.cold(v.name());
        });
        return model.fits(p);
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
            long room = d.roomCount();
            long follows = d.followCount();
            long nonUrgent = d.transitions().size() - urgent - room - follows;
            long demotions = d.transitions().stream().filter(t -> Guardrails.demotes(t.from(), t.to())).count();
            long ladder = w.model().roles().keySet().stream().mapToLong(r -> w.model().options(r).size()).max()
                    .orElse(1);
            long nonUrgentBound = (long) guard.maxTransitionsPerWindow()
                    * ((long) Math.floor(HALF_HOUR / guard.windowSeconds()) + 1);
            assertTrue(nonUrgent <= nonUrgentBound, nonUrgent + " non-urgent > " + nonUrgentBound);
            assertTrue(urgent <= ladder * roles * (1 + demotions), urgent + " urgent with " + demotions
                    + " demotions, ladder " + ladder);
            assertTrue(room <= (roles - 1L) * urgent, room + " evictions for " + urgent + " urgent loads");
            assertTrue(follows <= (roles - 1L) * demotions, follows + " substituted roles following their fallback off "
                    + "the GPU, with " + demotions + " demotions");
    }
}
