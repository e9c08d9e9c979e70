package dev.echelon.residency.plan;

import dev.echelon.residency.Footprint;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;

import java.util.HashMap;
import java.util.Map;

/**
 * The knapsack's units of memory: each budget cut into {@link PlannerSettings#gpuCells()} and
 * {@link PlannerSettings#hostCells()} equal cells, and each placement's footprint in whole cells, rounded up so a
 * plan that fits in cells fits in bytes. Shared by the planner and the prefetcher, which solve the same knapsack over
 * different option sets. Not thread-safe (a policy decides on one thread).
 */
final class MemoryCells {

    private final ResidencyModel model;
    private final long gpuCellBytes;
    private final long hostCellBytes;
    private final int gpuCapacity;
    private final int hostCapacity;
    private final Map<String, Map<RolePlacement, int[]>> cache = new HashMap<>();

    MemoryCells(ResidencyModel model, PlannerSettings settings) {
        this.model = model;
        this.gpuCellBytes = cellBytes(model.budgets().gpuBytes(), settings.gpuCells());
        this.hostCellBytes = cellBytes(model.budgets().hostRamBytes(), settings.hostCells());
        this.gpuCapacity = (int) Math.min(settings.gpuCells(), model.budgets().gpuBytes() / gpuCellBytes);
        this.hostCapacity = (int) Math.min(settings.hostCells(), model.budgets().hostRamBytes() / hostCellBytes);
    }

    /** {gpu cells, host cells} of a placement, footprints rounded up. */
    int[] of(String role, RolePlacement p) {
        return cache.computeIfAbsent(role, r -> new HashMap<>()).computeIfAbsent(p, k -> {
            Footprint f = model.footprint(role, k);
            return new int[] {cellsUp(f.gpuBytes(), gpuCellBytes, gpuCapacity),
                    cellsUp(f.hostBytes(), hostCellBytes, hostCapacity)};
        });
    }

    long gpuCellBytes() {
        return gpuCellBytes;
    }

    long hostCellBytes() {
        return hostCellBytes;
    }

    int gpuCapacity() {
        return gpuCapacity;
    }

    int hostCapacity() {
        return hostCapacity;
    }

    private static long cellBytes(long budget, int cells) {
        return Math.max(1, (budget + cells - 1) / cells);
    }

    /** Whole cells covering {@code bytes}; anything beyond the capacity is reported as capacity + 1 (never fits). */
    private static int cellsUp(long bytes, long cell, int capacity) {
        long n = (bytes + cell - 1) / cell;
        return (int) Math.min(n, (long) capacity + 1);
    }
}
