package dev.echelon.residency.plan;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
 * The planner's optimum equals brute force over every combination of the candidates it prices (3–4 roles, random
 * worlds, random demand): the programme is exact. Brute force uses the same grid (footprints rounded up) and the
 * same rule that a substituted role's fallback must run; each plan it returns also fits in bytes.
 */
class PlannerExactnessTest {

    @Test
    void equalsBruteForce() {
        int[] feasible = {0};
        qt().withFixedSeed(20261121L).withExamples(150).forAll(integers().between(3, 4), longs().all()).checkAssert((roles, seed) -> {
            RandomModels.World w = RandomModels.world(roles, seed);
            ResidencyModel model = w.model();
            Random rnd = new Random(seed * 31 + 7);
            Forecaster forecaster = new Forecaster(ForecastSettings.DEFAULTS);
            Map<String, Integer> queued = new HashMap<>();
            Set<String> busy = new HashSet<>();
            for (String r : model.roles().keySet()) {
                int n = rnd.nextInt(40);
                for (int i = 0; i < n; i++) {
                    forecaster.arrival(r, rnd.nextDouble() * 120);
                }
                if (rnd.nextInt(4) == 0) {
                    queued.put(r, 1 + rnd.nextInt(3));
                }
                if (rnd.nextInt(5) == 0) {
                    busy.add(r);
                }
            }
            Observation obs = new Observation(120, w.current(), Set.of(), Map.of(), queued);
            Forecast f = forecaster.forecast(120, queued);
            PlanConstraints constraints = new PlanConstraints(Set.of(), busy);
            // a coarse grid keeps brute force honest about rounding: many footprints straddle cells
            Planner planner = new Planner(model, PlannerSettings.DEFAULTS.withGrid(24 + rnd.nextInt(100),
                    8 + rnd.nextInt(60)));
            PlanningProblem problem = planner.problem(f, obs, constraints);
            Plan plan = planner.plan(f, obs, constraints);
            double best = bruteForce(model, problem, 0, new int[problem.roles().size()]);
            if (Double.isInfinite(best)) {
                assertFalse(plan.feasible(), "no combination fits, so no plan: " + plan);
                return;
            }
            feasible[0]++;
            assertTrue(plan.feasible());
            assertEquals(best, plan.objective(), 1e-6 * Math.max(1, Math.abs(best)), "objective = brute force");
            assertTrue(model.fits(plan.target()), "fits in bytes");
            for (String r : busy) {
                assertFalse(Guardrails.demotes(w.current().of(r), plan.target().of(r)), "busy role kept up: " + r);
            }
        });
        assertTrue(feasible[0] > 50, "most random worlds have a feasible plan: " + feasible[0]);
    }

    /**
     * Every combination, cut only where no completion can fit or beat the best found: footprints and costs are never
     * negative (asserted), so the cuts lose nothing.
     */
    private static double bruteForce(ResidencyModel model, PlanningProblem p, int g, int[] choice) {
        double[] best = {Double.POSITIVE_INFINITY};
        bruteForce(model, p, g, choice, 0, 0, 0, best);
        return best[0];
    }

    private static void bruteForce(ResidencyModel model, PlanningProblem p, int g, int[] choice, int gpu,
            int host, double cost, double[] best) {
        if (gpu > p.gpuCapacity() || host > p.hostCapacity() || cost > best[0]) {
            return;
        }
        List<PlanningProblem.RoleOptions> roles = p.roles();
        if (g == roles.size()) {
            for (int i = 0; i < roles.size(); i++) {
                RolePlacement rp = roles.get(i).options().get(choice[i]).placement();
                if (rp.state() == ResidencyState.S6) {
                    String fallback = model.role(roles.get(i).role()).fallback().orElseThrow();
                    int f = 0;
                    while (!roles.get(f).role().equals(fallback)) {
                        f++;
                    }
                    if (!roles.get(f).options().get(choice[f]).placement().running()) {
                        return;
                    }
                }
            }
            best[0] = Math.min(best[0], cost);
            return;
        }
        List<PlacementOption> options = roles.get(g).options();
        for (int o = 0; o < options.size(); o++) {
            PlacementOption opt = options.get(o);
            assertFalse(Double.isNaN(opt.cost()) || opt.cost() < 0, "priced, not negative: " + opt);
            assertTrue(opt.gpuCells() >= 0 && opt.hostCells() >= 0);
            choice[g] = o;
            bruteForce(model, p, g + 1, choice, gpu + opt.gpuCells(), host + opt.hostCells(), cost + opt.cost(),
                    best);
        }
    }

    @Test
    void keepsTheCurrentPlacementWhenNothingIsAsked() {
        ResidencyModel model = PlanFixtures.shippedModel();
        Placement current = model.initialPlacement();
        Planner planner = new Planner(model, PlannerSettings.DEFAULTS);
        Plan plan = planner.plan(new Forecaster(ForecastSettings.DEFAULTS).forecast(0, Map.of()),
                PlanFixtures.idle(0, current), PlanConstraints.NONE);
        // no demand anywhere: every move costs its switching penalty and gains nothing
        assertTrue(model.fits(current));
        assertTrue(plan.feasible());
        assertEquals(current, plan.target());
        assertEquals(0.0, plan.objective(), 1e-9);
    }
}
