package dev.echelon.residency.plan;

import dev.echelon.residency.Placement;

import java.util.Map;

/**
 * The planner's answer.
 *
 * @param target     the least-cost placement within the budgets (the current one when {@code feasible} is false)
 * @param objective  its cost: expected request-seconds over the horizon plus transition costs
 * @param roleCosts  the objective's share per role
 * @param feasible   false when no placement satisfies the constraints (fixed roles and pins alone exceed a budget)
 * @param solveNanos wall time of {@link Planner#plan}: pricing, the dynamic programme and the budget check
 * @param solves     knapsack solves it took (1, or more when substitution conflicts were branched on)
 */
public record Plan(Placement target, double objective, Map<String, Double> roleCosts, boolean feasible,
        long solveNanos, int solves) {

    public Plan {
        roleCosts = Map.copyOf(roleCosts);
    }
}
