package dev.echelon.cost;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The speculation physics of the one cost model: where a verification pass is a decoding step, and where not. */
class CostModelTest {

    /** The shipped coder's speeds (32B at Q4_K_M): 38 / 2.2 tokens/s decoding, 1,300 / 9 tokens/s prompt. */
    private static final Calibration CODER = new Calibration(19_851_335_840L, 1300, 38, 9, 2.2, 7e9, 25e9, 800);
    private static final long BYTES = 19_851_335_840L;
    private static final double DRAFT = 1.0 / 420;

    private final CostModel cost = new CostModel();

    @Test
    void onTheGpuAVerificationPassCostsADecodingStep() {
        double step = cost.decodeSecondsPerToken(CODER, BYTES, 1.0, 1);
        for (int k = 0; k <= 16; k++) {
            assertEquals(cost.speculativeSecondsPerToken(step, DRAFT, k, 0.8),
                    cost.speculativeSecondsPerToken(CODER, BYTES, 1.0, 1, DRAFT, k, 0.8), 1e-12, "k " + k);
        }
    }

    @Test
    void onTheCpuAVerificationPassComputesItsTokensLikeAPrompt() {
        double tokens = CostModel.expectedTokensPerPass(0.8, 4);
        // five tokens at 9 tokens/s of prompt processing (0.56 s) outlast one decoding step at 2.2 tokens/s (0.45 s)
        assertEquals((5 / 9.0 * CostModel.VERIFY_OVERHEAD + 4 * DRAFT) / tokens,
                cost.speculativeSecondsPerToken(CODER, BYTES, 0.0, 1, DRAFT, 4, 0.8), 1e-12);
        // a one-token draft is still read-bound: two tokens take 0.22 s
        assertEquals((1 / 2.2 * CostModel.VERIFY_OVERHEAD + DRAFT) / CostModel.expectedTokensPerPass(0.8, 1),
                cost.speculativeSecondsPerToken(CODER, BYTES, 0.0, 1, DRAFT, 1, 0.8), 1e-12);
        assertTrue(bestLength(0.0) < bestLength(1.0), "CPU " + bestLength(0.0) + ", GPU " + bestLength(1.0));
        assertTrue(bestLength(0.0) >= 2, "short drafts still pay on the CPU: " + bestLength(0.0));
    }

    private int bestLength(double gpuFraction) {
        int best = 0;
        double fastest = cost.decodeSecondsPerToken(CODER, BYTES, gpuFraction, 1);
        for (int k = 1; k <= 16; k++) {
            double t = cost.speculativeSecondsPerToken(CODER, BYTES, gpuFraction, 1, DRAFT, k, 0.8);
            if (t < fastest) {
                best = k;
                fastest = t;
            }
        }
        return best;
    }
}
