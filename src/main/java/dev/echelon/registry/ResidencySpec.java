package dev.echelon.registry;

import java.util.Map;

/**
 * Memory budgets, pins and precision floors.
 *
 * @param pins            a floor state per role: the controller never places the role below it (S0 is the top)
 * @param precisionFloors per quality-sensitive role, its smallest acceptable variant: the controller never places
 *                        a variant with fewer bytes
 */
public record ResidencySpec(long gpuBytes, long hostRamBytes, Map<String, ResidencyState> pins,
        Map<String, String> precisionFloors) {

    public ResidencySpec {
        pins = Map.copyOf(pins);
        precisionFloors = Map.copyOf(precisionFloors);
    }
}
