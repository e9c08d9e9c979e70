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
        qt().withExamples(150).forAll(integers().between(3, 4), longs().all()).checkAssert((roles, seed) -> {
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

    private static double bruteForce(ResidencyModel model, PlanningProblem p, int g, int[] choice) {
        List<PlanningProblem.RoleOptions> roles = p.roles();
        int gpuSoFar = 0;
        int hostSoFar = 0;
        for (int i = 0; i < g; i++) {
            gpuSoFar += roles.get(i).options().get(choice[i]).gpuCells();
            hostSoFar += roles.get(i).options().get(choice[i]).hostCells();
        }
        if (gpuSoFar > p.gpuCapacity() || hostSoFar > p.hostCapacity()) {
            return Double.POSITIVE_INFINITY; // footprints are never negative: no completion fits either
        }
        if (g == roles.size()) {
            int gpu = 0;
            int host = 0;
            double cost = 0;
            Map<String, RolePlacement> placement = new HashMap<>();
            for (int i = 0; i < roles.size(); i++) {
                PlacementOption o = roles.get(i).options().get(choice[i]);
                gpu += o.gpuCells();
                host += o.hostCells();
                assertFalse(Double.isNaN(o.cost()), "priced: " + o);
                cost += o.cost();
                placement.put(roles.get(i).role(), o.placement());
            }
            if (gpu > p.gpuCapacity() || host > p.hostCapacity()) {
                return Double.POSITIVE_INFINITY;
            }
            for (Map.Entry<String, RolePlacement> e : placement.entrySet()) {
                if (e.getValue().state() == ResidencyState.S6) {
                    String fallback = model.role(e.getKey()).fallback().orElseThrow();
                    if (!placement.get(fallback).running()) {
                        return Double.POSITIVE_INFINITY;
                    }
                }
            }
            return cost;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int o = 0; o < roles.get(g).options().size(); o++) {
            choice[g] = o;
            best = Math.min(best, bruteForce(model, p, g + 1, choice));
        }
        return best;
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
