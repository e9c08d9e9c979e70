package dev.echelon.residency;

import dev.echelon.registry.Tier;

/**
 * Service-level objectives per tier: the bar for the simulator's "SLO attainment", and the bar {@link Overflow}
 * holds a request to before it sends it to a hot fallback. The front door must answer at once, workers
 * quickly, experts may think before they speak (their prompts are long). Time per output token: reading speed for
 * chat (10 tokens/s), a little slower for the rest. A request served by a fallback is held to its own tier's SLO.
 *
 * <pre>
 * tier  TTFT   TPOT
 * A     1 s    100 ms
 * C     3 s    150 ms
 * B     5 s    150 ms
 * </pre>
 */
public final class Slo {

    private Slo() {
    }

    public static double ttftSeconds(Tier tier) {
        return switch (tier) {
            case A -> 1.0;
            case C -> 3.0;
            case B -> 5.0;
            case D -> Double.POSITIVE_INFINITY;
        };
    }

    public static double tpotSeconds(Tier tier) {
        return switch (tier) {
            case A -> 0.100;
            case B, C -> 0.150;
            case D -> Double.POSITIVE_INFINITY;
        };
    }
}
