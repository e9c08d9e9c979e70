package dev.echelon.residency.plan;

import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.Transition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The whole policy (forecast → plan → guardrails) over random worlds, random guardrail settings and random shifting
 * traffic, in a world that reacts (slots, queues, transitions that take time): {@link PolicyDriver} checks every
 * decision — budgets (every intermediate too), legal and admissible transitions only, pins, dwell, no demotion of
 * busy roles, roles in transit untouched — and this test checks the anti-thrash window over the whole run.
 */
class EchelonPlannerPropertiesTest {

    static List<PolicyDriver.Arrival> shiftingTrace(ResidencyModel model, Random rnd, double until) {
        List<String> roles = new ArrayList<>(model.roles().keySet());
        List<PolicyDriver.Arrival> out = new ArrayList<>();
        double t = 0;
        while (t < until) {
            double phase = 20 + rnd.nextDouble() * 180;
            for (String r : roles) {
                double rate = rnd.nextInt(3) == 0 ? rnd.nextDouble() * 1.5 : 0;
                for (double a = t; rate > 0; ) {
                    a += -Math.log(1 - rnd.nextDouble()) / rate;
                    if (a >= Math.min(until, t + phase)) {
                        break;
                    }
                    out.add(new PolicyDriver.Arrival(a, r));
                }
            }
            t += phase;
        }
        out.sort(Comparator.comparingDouble(PolicyDriver.Arrival::t));
        return out;
    }

    @Test
    void everyDecisionKeepsTheGuardrailsPromises() {
        qt().withFixedSeed(20261121L).withExamples(20).forAll(integers().between(2, 6), longs().all()).checkAssert((roles, seed) -> {
            RandomModels.World w = RandomModels.world(roles, seed);
            Random rnd = new Random(seed + 17);
            GuardrailSettings guard = new GuardrailSettings(5 + rnd.nextInt(56), 30 + rnd.nextInt(91),
                    1 + rnd.nextInt(8));
            PolicyDriver d = new PolicyDriver(w.model(), w.current(), PlannerSettings.DEFAULTS,
                    ForecastSettings.DEFAULTS, guard, 1 + rnd.nextInt(10));
            d.run(shiftingTrace(w.model(), rnd, 600), 600);
            assertWindowHolds(d, guard);
        });
    }

    /**
     * Non-urgent transitions within any window never exceed the cap (urgent loads, and the demotions that make room
     * for them in the same decision, are counted but may pass).
     */
    static void assertWindowHolds(PolicyDriver d, GuardrailSettings guard) {
        List<Double> times = d.transitionTimes();
        List<Transition> ts = d.transitions();
        for (int i = 0; i < times.size(); i++) {
            double end = times.get(i);
            int n = 0;
            for (int j = 0; j <= i || j < times.size() && times.get(j) <= end; j++) {
                if (j < times.size() && times.get(j) >= end - guard.windowSeconds() && times.get(j) <= end
                        && !isUrgent(d, j)) {
                    n++;
                }
            }
            assertTrue(n <= guard.maxTransitionsPerWindow(), n + " non-urgent transitions in the window ending "
                    + end + " (cap " + guard.maxTransitionsPerWindow() + "): " + ts);
        }
    }

    private static boolean isUrgent(PolicyDriver d, int index) {
        return d.urgentFlags().get(index) || d.roomFlags().get(index) || d.followFlags().get(index);
    }
}
