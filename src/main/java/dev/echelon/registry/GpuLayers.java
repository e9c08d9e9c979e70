package dev.echelon.registry;

/** llama-server's {@code -ngl}: every layer ({@code all}) or an exact count. */
public record GpuLayers(boolean all, int count) {

    public static final GpuLayers ALL = new GpuLayers(true, -1);

    public static GpuLayers of(int count) {
        return new GpuLayers(false, count);
    }

    /** Layers actually placed on the GPU for a model with {@code modelLayers} blocks. */
    public int resolve(int modelLayers) {
        return all ? modelLayers : Math.min(count, modelLayers);
    }

    public double fraction(int modelLayers) {
        return modelLayers <= 0 ? 0 : (double) resolve(modelLayers) / modelLayers;
    }

    public String flagValue() {
        return all ? "all" : Integer.toString(count);
    }

    @Override
    public String toString() {
        return flagValue();
    }
}
