package dev.echelon.residency;

/**
 * A requested change of one role's placement. The constructor refuses an edge the {@link Ladder} lacks, so a
 * {@code Transition} that exists is on the ladder; {@link ResidencyModel#transition} also checks the target.
 *
 * @param seconds     planned duration from the cost model (load, upload, process start)
 * @param bytesMoved  bytes read from NVMe plus bytes uploaded to the GPU
 */
public record Transition(String role, RolePlacement from, RolePlacement to, double seconds, long bytesMoved) {

    public Transition {
        if (!Ladder.legal(from, to)) {
            throw new IllegalTransitionException(role, from, to, Ladder.why(from, to));
        }
    }

    /** Towards a deeper state (less memory, slower service). */
    public boolean demotion() {
        return to.depth() > from.depth() || (to.depth() == from.depth() && to.gpuLayers() < from.gpuLayers());
    }

    @Override
    public String toString() {
        return role + ": " + from + " → " + to;
    }
}
