package dev.echelon.cost;

import dev.echelon.registry.VariantSpec;

/**
 * The one model of what things cost in time: loading weights across NVMe → RAM → GPU, prompt processing and token
 * generation as functions of variant size and the fraction of layers on the GPU, KV-cache size, and speculative
 * decoding. The fake servers pace themselves with it, the residency planner and the simulator decide with it, so
 * mock-mode behaviour and planning agree by construction — and calibrating it from real timings moves both.
 *
 * <p>Physics behind the formulas: decoding one token reads every weight once, so its time is memory-bandwidth bound
 * and proportional to the bytes of the variant; layers split between GPU and CPU add their times layer by layer.
 * Prompt processing is compute bound and does not shrink with quantisation.
 */
public final class CostModel {

    /** Per extra concurrent sequence, how much slower each sequence decodes (batched decoding shares bandwidth). */
    static final double BATCH_SLOWDOWN = 0.12;
    /** A verification pass over k draft tokens costs a little more than one plain decoding step. */
    static final double VERIFY_OVERHEAD = 1.05;

    /**
     * Time to bring a variant from where it is to the placement asked for.
     *
     * @param fromNvme    the file is cold and must be read from disk (S4); false when staged in RAM (S3)
     * @param gpuFraction fraction of layers uploaded to GPU memory
     * @param startProcess whether a llama-server process has to start (false for a warm in-process move)
     */
    public double loadSeconds(Calibration c, long bytes, double gpuFraction, boolean fromNvme, boolean startProcess) {
        double f = clamp(gpuFraction);
        double seconds = startProcess ? c.processStartMs() / 1000.0 : 0;
        if (fromNvme) {
            seconds += bytes / c.nvmeToRamBytesPerSec();
        }
        seconds += bytes * f / c.ramToGpuBytesPerSec();
        return seconds;
    }

    /** Seconds to read a GGUF file into the page cache (S4 → S3 staging). */
    public double stageSeconds(Calibration c, long bytes) {
        return bytes / c.nvmeToRamBytesPerSec();
    }

    public double prefillSeconds(Calibration c, double gpuFraction, int promptTokens) {
        double f = clamp(gpuFraction);
        return Math.max(0, promptTokens) * (f / c.prefillTpsGpu() + (1 - f) / c.prefillTpsCpu());
    }

    /** Seconds per generated token for one sequence when {@code concurrent} sequences decode together. */
    public double decodeSecondsPerToken(Calibration c, long variantBytes, double gpuFraction, int concurrent) {
        double f = clamp(gpuFraction);
        double scale = (double) variantBytes / c.referenceBytes();
        double single = scale * (f / c.decodeTpsGpu() + (1 - f) / c.decodeTpsCpu());
        return single * (1 + BATCH_SLOWDOWN * Math.max(0, concurrent - 1));
    }

    public ServiceCost serviceCost(Calibration c, VariantSpec variant, double gpuFraction, int promptTokens,
            int concurrent) {
        return new ServiceCost(prefillSeconds(c, gpuFraction, promptTokens),
                decodeSecondsPerToken(c, variant.bytes(), gpuFraction, concurrent));
    }

    /**
     * Expected tokens produced per target forward pass when drafting {@code k} tokens that are each accepted with
     * probability {@code alpha} (Leviathan et al. 2023): (1 − α^(k+1)) / (1 − α).
     */
    public static double expectedTokensPerPass(double alpha, int k) {
        if (k <= 0) {
            return 1.0;
        }
        if (alpha >= 1.0) {
            return k + 1.0;
        }
        return (1 - Math.pow(alpha, k + 1)) / (1 - alpha);
    }

    /**
     * Seconds per output token with speculation: each pass drafts {@code k} tokens with the draft model and
     * verifies them with one target pass, yielding {@link #expectedTokensPerPass} tokens.
     */
    public double speculativeSecondsPerToken(double targetTpot, double draftTpot, int k, double alpha) {
        if (k <= 0) {
            return targetTpot;
        }
        double pass = targetTpot * VERIFY_OVERHEAD + k * draftTpot;
        return pass / expectedTokensPerPass(alpha, k);
    }

    /** KV-cache bytes for {@code contextTokens} tokens of context (summed over the slots that hold them). */
    public long kvBytes(VariantSpec variant, long contextTokens) {
        return variant.kvBytesPerToken() * Math.max(0, contextTokens);
    }

    private static double clamp(double f) {
        return Math.max(0, Math.min(1, f));
    }
}
