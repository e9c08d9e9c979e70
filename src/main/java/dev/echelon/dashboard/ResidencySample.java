package dev.echelon.dashboard;

import java.util.Map;

/**
 * One second of the residency picture: each managed role's live state (S0…S6) and what the settled placement
 * occupies of the GPU and host-RAM budgets.
 */
public record ResidencySample(long epochMs, Map<String, String> states, long gpuUsedBytes, long gpuBudgetBytes,
        long hostUsedBytes, long hostBudgetBytes) {

    public ResidencySample {
        states = Map.copyOf(states);
    }

    /** Used ÷ budget; with no budget at all, 1 when anything is used there (as {@code Budgets} reads it). */
    public double gpuPressure() {
        return ratio(gpuUsedBytes, gpuBudgetBytes);
    }

    public double hostPressure() {
        return ratio(hostUsedBytes, hostBudgetBytes);
    }

    private static double ratio(long used, long budget) {
        return budget <= 0 ? (used > 0 ? 1 : 0) : (double) used / budget;
    }
}
