package dev.echelon.registry;

/**
 * One GGUF file of a model at one precision.
 *
 * @param path            file path, relative to the models directory unless absolute
 * @param bytes           file size in bytes (what has to move between NVMe, RAM and GPU)
 * @param layers          transformer block count (the unit of partial GPU offload)
 * @param kvBytesPerToken KV-cache bytes per context token (all layers, f16 cache unless stated)
 * @param contextLength   trained context length
 */
public record VariantSpec(String name, String path, String quant, long bytes, int layers, long kvBytesPerToken,
        int contextLength) {

    /** Bits per weight relative to a 16-bit variant of the same model, approximated from the quant name. */
    public boolean lowBit() {
        String q = quant.toUpperCase();
        return !(q.startsWith("F16") || q.startsWith("BF16") || q.startsWith("F32") || q.startsWith("Q8"));
    }

    public long bytesPerLayer() {
        return bytes / Math.max(1, layers);
    }
}
