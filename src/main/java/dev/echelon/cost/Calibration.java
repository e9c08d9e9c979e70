package dev.echelon.cost;

import dev.echelon.registry.MockProfile;
import dev.echelon.registry.ModelSpec;

/**
 * Measured (or, until measured, declared) speeds of one model on this machine. Throughputs refer to the model's
 * reference variant of {@code referenceBytes}; {@link CostModel} scales them for other variants.
 */
public record Calibration(long referenceBytes, double prefillTpsGpu, double decodeTpsGpu, double prefillTpsCpu,
        double decodeTpsCpu, double nvmeToRamBytesPerSec, double ramToGpuBytesPerSec, long processStartMs) {

    public Calibration {
        if (referenceBytes <= 0 || prefillTpsGpu <= 0 || decodeTpsGpu <= 0 || prefillTpsCpu <= 0 || decodeTpsCpu <= 0
                || nvmeToRamBytesPerSec <= 0 || ramToGpuBytesPerSec <= 0 || processStartMs < 0) {
            throw new IllegalArgumentException("calibration values must be positive: " + this);
        }
    }

    /** The registry's mock profile is the calibration seed until real timings replace it. */
    public static Calibration of(ModelSpec model) {
        MockProfile p = model.mock();
        return new Calibration(model.referenceVariant().bytes(), p.prefillTpsGpu(), p.decodeTpsGpu(),
                p.prefillTpsCpu(), p.decodeTpsCpu(), p.nvmeToRamBytesPerSec(), p.ramToGpuBytesPerSec(),
                p.processStartMs());
    }

    public Calibration withDecodeTpsGpu(double tps) {
        return new Calibration(referenceBytes, prefillTpsGpu, tps, prefillTpsCpu, decodeTpsCpu, nvmeToRamBytesPerSec,
                ramToGpuBytesPerSec, processStartMs);
    }

    public Calibration withDecodeTpsCpu(double tps) {
        return new Calibration(referenceBytes, prefillTpsGpu, decodeTpsGpu, prefillTpsCpu, tps, nvmeToRamBytesPerSec,
                ramToGpuBytesPerSec, processStartMs);
    }
}
