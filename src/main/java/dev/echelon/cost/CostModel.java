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
     * verifies them with one target pass, yielding {@link #expectedTokensPerPass} tokens. The verification pass is
     * priced as a plain decoding step ({@code targetTpot}), which holds where the target runs on the GPU; see
     * {@link #speculativeSecondsPerToken(Calibration, long, double, int, double, int, double)} for any placement.
     */
    public double speculativeSecondsPerToken(double targetTpot, double draftTpot, int k, double alpha) {
        if (k <= 0) {
            return targetTpot;
        }
        double pass = targetTpot * VERIFY_OVERHEAD + k * draftTpot;
        return pass / expectedTokensPerPass(alpha, k);
    }

    /**
     * Seconds per output token with speculation for a target at {@code gpuFraction} of its layers on the GPU, with
     * the verification pass priced layer group by layer group: checking k + 1 tokens reads the weights once, like a
     * decoding step, but also computes k + 1 tokens, like a prompt of that length. On a GPU the read is the slower of
     * the two (38 tokens/s decoding against 1,300 tokens/s of prompt for a 32B model), so the pass costs a decoding
     * step; on a CPU the computation is (2.2 against 9 tokens/s: five tokens take 0.56 s against a 0.45 s step),
     * so long drafts pay for the CPU share of the layers.
     */
    public double speculativeSecondsPerToken(Calibration target, long variantBytes, double gpuFraction,
            int concurrent, double draftTpot, int k, double alpha) {
        double tpot = decodeSecondsPerToken(target, variantBytes, gpuFraction, concurrent);
        if (k <= 0) {
            return tpot;
        }
        double f = clamp(gpuFraction);
        double scale = (double) variantBytes / target.referenceBytes();
        double batch = k + 1.0;
        double verify = f * Math.max(scale / target.decodeTpsGpu(), batch / target.prefillTpsGpu())
                + (1 - f) * Math.max(scale / target.decodeTpsCpu(), batch / target.prefillTpsCpu());
        verify *= 1 + BATCH_SLOWDOWN * Math.max(0, concurrent - 1);
        return (verify * VERIFY_OVERHEAD + k * draftTpot) / expectedTokensPerPass(alpha, k);
    }

    /**
     * The fastest of plain decoding and speculation at every draft length 1…{@code longestDraft}: seconds per output
     * token at the placement, as {@link #speculativeSecondsPerToken(Calibration, long, double, int, double, int,
     * double)} prices each length; the plain time when no length pays (a tuner then turns drafting off).
     */
    public double fastestSecondsPerToken(Calibration target, long variantBytes, double gpuFraction, int concurrent,
            double draftTpot, int longestDraft, double alpha) {
        double best = decodeSecondsPerToken(target, variantBytes, gpuFraction, concurrent);
        for (int k = 1; k <= longestDraft; k++) {
            best = Math.min(best, speculativeSecondsPerToken(target, variantBytes, gpuFraction, concurrent,
                    draftTpot, k, alpha));
        }
        return best;
    }

    /** KV-cache bytes for {@code contextTokens} tokens of context (summed over the slots that hold them). */
    public long kvBytes(VariantSpec variant, long contextTokens) {
        return variant.kvBytesPerToken() * Math.max(0, contextTokens);
    }

    private static double clamp(double f) {
        return Math.max(0, Math.min(1, f));
    }
}
