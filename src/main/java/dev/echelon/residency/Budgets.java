package dev.echelon.residency;

/**
 * The memory the controller may fill: GPU memory and host RAM, from the registry's {@code residency} block unless
 * overridden by {@code ORCHESTRATOR_RESIDENCY_GPU_BYTES} / {@code ORCHESTRATOR_RESIDENCY_HOST_RAM_BYTES}.
 */
public record Budgets(long gpuBytes, long hostRamBytes) {

    public Budgets {
        if (gpuBytes < 0 || hostRamBytes < 0) {
            throw new IllegalArgumentException("budgets must be >= 0: gpu " + gpuBytes + ", host " + hostRamBytes);
        }
    }

    /** Fraction of the GPU budget {@code f} uses (0 when there is no GPU). */
    public double gpuPressure(Footprint f) {
        return gpuBytes == 0 ? (f.gpuBytes() > 0 ? 1 : 0) : (double) f.gpuBytes() / gpuBytes;
    }

    public double hostPressure(Footprint f) {
        return hostRamBytes == 0 ? (f.hostBytes() > 0 ? 1 : 0) : (double) f.hostBytes() / hostRamBytes;
    }
}
