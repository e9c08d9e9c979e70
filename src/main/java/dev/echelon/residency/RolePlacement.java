package dev.echelon.residency;

import dev.echelon.registry.ResidencyState;

import java.util.Objects;

/**
 * Where one role's weights are: the state, the variant (precision) that is or would be loaded, and how many of its
 * layers sit in GPU memory. Values are checked against the state's meaning; whether the variant exists and fits is
 * the {@link ResidencyModel}'s business.
 *
 * @param gpuLayers layers in GPU memory: all of them in S0/S1, some in S2, none otherwise
 */
public record RolePlacement(ResidencyState state, String variant, int gpuLayers) {

    public RolePlacement {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(variant, "variant");
        if (gpuLayers < 0) {
            throw new IllegalArgumentException("gpuLayers must be >= 0: " + gpuLayers);
        }
        switch (state) {
            case S2 -> {
                if (gpuLayers == 0) {
                    throw new IllegalArgumentException("S2 (partial offload) needs at least one GPU layer");
                }
            }
            case S3, S4, S6 -> {
                if (gpuLayers != 0) {
                    throw new IllegalArgumentException(state + " has no GPU footprint, but gpuLayers=" + gpuLayers);
                }
            }
            default -> {
            }
        }
    }

    public static RolePlacement gpu(ResidencyState state, String variant, int layers) {
        return new RolePlacement(state, variant, layers);
    }

    public static RolePlacement cpu(String variant) {
        return new RolePlacement(ResidencyState.S3, variant, 0);
    }

    public static RolePlacement cold(String variant) {
        return new RolePlacement(ResidencyState.S4, variant, 0);
    }

    public static RolePlacement substituted(String variant) {
        return new RolePlacement(ResidencyState.S6, variant, 0);
    }

    /** A llama-server process runs for the role (it can serve requests, at GPU or CPU speed). */
    public boolean running() {
        return switch (state) {
            case S0, S1, S2, S3 -> true;
            case S4, S5, S6 -> false;
        };
    }

    public boolean onGpu() {
        return gpuLayers > 0;
    }

    /** How far down the ladder: S0 = 0 … S4 = 4; S6 counts as below S4 (nothing of the role is materialised). */
    public int depth() {
        return state == ResidencyState.S6 ? 5 : state.ordinal();
    }

    @Override
    public String toString() {
        return state + "(" + variant + (state == ResidencyState.S2 ? ", ngl " + gpuLayers : "") + ")";
    }
}
