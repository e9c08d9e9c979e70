package dev.echelon.registry;

import java.util.Map;

/**
 * Memory budgets and pins.
 *
 * @param pins a floor state per role: the controller never places the role below it (S0 is the top)
 */
public record ResidencySpec(long gpuBytes, long hostRamBytes, Map<String, ResidencyState> pins) {

    public ResidencySpec {
        pins = Map.copyOf(pins);
    }
}
