package dev.echelon.residency.plan;

import java.util.List;

/**
 * The planner's multiple-choice knapsack: for every managed role (registry order) its candidate placements, priced
 * and sized on the grid; exactly one per role is chosen within both capacities. Exposed so that tests can check the
 * solver against brute force and {@code explain()} can show what was weighed.
 *
 * @param gpuCellBytes  bytes per GPU cell; footprints round up to whole cells, the budget rounds down
 * @param gpuCapacity   GPU budget in whole cells
 */
public record PlanningProblem(List<RoleOptions> roles, long gpuCellBytes, int gpuCapacity, long hostCellBytes,
        int hostCapacity) {

    /** One role's candidates; the first is its current placement whenever that is a candidate. */
    public record RoleOptions(String role, List<PlacementOption> options) {
        public RoleOptions {
            options = List.copyOf(options);
        }
    }

    public PlanningProblem {
        roles = List.copyOf(roles);
    }
}
