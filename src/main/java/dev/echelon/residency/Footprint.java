package dev.echelon.residency;

/** Bytes a placement occupies in GPU memory and in host RAM (weights, KV cache, the draft and compute buffers). */
public record Footprint(long gpuBytes, long hostBytes) {

    public static final Footprint ZERO = new Footprint(0, 0);

    public Footprint plus(Footprint o) {
        return new Footprint(gpuBytes + o.gpuBytes, hostBytes + o.hostBytes);
    }

    public boolean within(Budgets b) {
        return gpuBytes <= b.gpuBytes() && hostBytes <= b.hostRamBytes();
    }
}
