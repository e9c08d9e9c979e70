package dev.echelon.registry;

/**
 * A target role speculating with a Tier D draft role.
 *
 * @param nMax           initial draft length ({@code --spec-draft-n-max}); adaptation may change it later
 * @param nMin           {@code --spec-draft-n-min}
 * @param pMin           {@code --spec-draft-p-min}: the draft stops when its own confidence falls below this
 * @param draftGpuLayers {@code -ngld} for the draft model
 */
public record DraftPairing(String target, String draft, int nMax, int nMin, double pMin, GpuLayers draftGpuLayers) {
}
