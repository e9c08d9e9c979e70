package dev.echelon.memory;

import java.time.Duration;

/**
 * How contextual memory behaves.
 *
 * @param recallK        most memories recalled into one request
 * @param minSimilarity  memories less similar (cosine) to the request than this are not recalled
 * @param tokenBudget    most tokens the recalled context block may take
 * @param retention      memories older than this are purged; {@link Duration#ZERO} keeps them
 * @param maxPerScope    most memories kept per API key (the oldest beyond are purged)
 * @param eta            step of the usefulness update Q ← Q + η(r − Q)
 * @param snapshotEvery  how often a changed index is written to disk
 */
public record MemorySettings(int recallK, double minSimilarity, int tokenBudget, Duration retention,
        int maxPerScope, double eta, Duration snapshotEvery) {

    public static final MemorySettings DEFAULTS = new MemorySettings(4, 0.6, 512, Duration.ofDays(90), 10_000, 0.2,
            Duration.ofMinutes(1));

    public MemorySettings {
        if (recallK < 1 || tokenBudget < 16 || maxPerScope < 1) {
            throw new IllegalArgumentException("recall-k ≥ 1, token-budget ≥ 16 and max-per-key ≥ 1 are required");
        }
        if (!(minSimilarity >= -1 && minSimilarity < 1)) {
            throw new IllegalArgumentException("min-similarity must be in [-1, 1) (was " + minSimilarity + ")");
        }
        if (!(eta > 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta must be in (0, 1] (was " + eta + ")");
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative");
        }
    }
}
