package dev.echelon.residency.plan;

import dev.echelon.residency.RolePlacement;

/**
 * One candidate placement of a role as the knapsack sees it.
 *
 * @param gpuCells  GPU footprint in grid cells, rounded up
 * @param hostCells host-RAM footprint in grid cells, rounded up
 * @param cost      expected latency cost over the horizon plus the cost of moving there, in request-seconds
 */
public record PlacementOption(RolePlacement placement, int gpuCells, int hostCells, double cost) {
}
