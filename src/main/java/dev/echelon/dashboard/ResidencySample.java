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

    public double gpuPressure() {
        return gpuBudgetBytes <= 0 ? 0 : (double) gpuUsedBytes / gpuBudgetBytes;
    }

    public double hostPressure() {
        return hostBudgetBytes <= 0 ? 0 : (double) hostUsedBytes / hostBudgetBytes;
    }
}
