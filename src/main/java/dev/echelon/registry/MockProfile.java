package dev.echelon.registry;

/**
 * How a model behaves in mock mode, and the calibration seed of the cost model. Throughputs refer to the model's
 * first (reference) variant; the cost model scales them for other variants.
 *
 * @param capability          0–1: how hard a prompt the fake model answers well (read only by fake/)
 * @param nvmeToRamBytesPerSec bandwidth of reading the GGUF from disk into the page cache
 * @param ramToGpuBytesPerSec  bandwidth of uploading weights to GPU memory
 * @param processStartMs      process start and warm-up, excluding the weight transfer
 * @param tokenizer           the tokenizer the fake file really has, when it is not its declared family's (models a
 *                            mislabelled file: a draft the registry calls a Qwen2.5 that tokenizes otherwise); null:
 *                            the family's
 */
public record MockProfile(double capability, double prefillTpsGpu, double decodeTpsGpu, double prefillTpsCpu,
        double decodeTpsCpu, double nvmeToRamBytesPerSec, double ramToGpuBytesPerSec, long processStartMs,
        String tokenizer) {

    public MockProfile(double capability, double prefillTpsGpu, double decodeTpsGpu, double prefillTpsCpu,
            double decodeTpsCpu, double nvmeToRamBytesPerSec, double ramToGpuBytesPerSec, long processStartMs) {
        this(capability, prefillTpsGpu, decodeTpsGpu, prefillTpsCpu, decodeTpsCpu, nvmeToRamBytesPerSec,
                ramToGpuBytesPerSec, processStartMs, null);
    }
}
