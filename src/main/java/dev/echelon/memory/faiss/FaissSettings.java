package dev.echelon.memory.faiss;

/**
 * How a {@link FaissIndex} is shaped and tuned.
 *
 * @param hnswThreshold   live vectors above which the exact flat index is rebuilt as HNSW (and below half of which a
 *                        compaction goes back to flat): a flat single query costs about 3.4 ms per 10k vectors on
 *                        Debian's SSE2-only build, so past some tens of thousands the graph pays for itself
 * @param m               HNSW links per node (32: faiss's default for IndexHNSWFlat, good for 384 dimensions)
 * @param efConstruction  HNSW candidate list while inserting: 64 = 2M, the least that fills level-0 neighbour lists
 *                        (bench/memory: 40 plateaus at recall@10 0.99 on 100k; 80 builds 2-3x slower for little)
 * @param efSearch        HNSW candidate list while searching; 192 is measured by bench/memory to keep recall@10
 *                        against exact search at 1.0 on 100k and 0.965 on 1M clustered vectors (128 gives 0.954 on
 *                        1M, too close to the 0.95 target) for a p50 of about 1.2 ms; filtered searches that need a
 *                        deeper fetch widen it for that search
 * @param compactFraction tombstones (removed or replaced HNSW vectors still in the graph) above this share of the
 *                        rows trigger a rebuild without them
 * @param buildThreads    OpenMP threads for bulk additions and rebuilds; searches always use one thread each, since
 *                        they run on many Java threads at once and nested OpenMP teams would oversubscribe the cores
 * @param background      whether rebuilds that single additions and removals trigger (the switch to HNSW,
 *                        compactions) run on a background thread while the old index keeps serving; a 1M-vector
 *                        HNSW build takes about 11 minutes on two cores, too long to hold the write lock. Off, they
 *                        run inline (deterministic: for tests). Bulk {@code addAll} always rebuilds inline.
 */
public record FaissSettings(int hnswThreshold, int m, int efConstruction, int efSearch, double compactFraction,
                            int buildThreads, boolean background) {

    public static final int DEFAULT_HNSW_THRESHOLD = 20_000;

    public FaissSettings {
        if (hnswThreshold < 1 || m < 4 || efConstruction < 1 || efSearch < 1 || buildThreads < 1) {
            throw new IllegalArgumentException("invalid FAISS settings: " + this);
        }
        if (!(compactFraction > 0 && compactFraction < 1)) {
            throw new IllegalArgumentException("compactFraction must lie in (0, 1): " + compactFraction);
        }
    }

    public static FaissSettings defaults() {
        return new FaissSettings(DEFAULT_HNSW_THRESHOLD, 32, 64, 192, 0.2,
                Math.min(2, Runtime.getRuntime().availableProcessors()), true);
    }

    public FaissSettings withHnswThreshold(int threshold) {
        return new FaissSettings(threshold, m, efConstruction, efSearch, compactFraction, buildThreads, background);
    }

    public FaissSettings withEf(int construction, int search) {
        return new FaissSettings(hnswThreshold, m, construction, search, compactFraction, buildThreads, background);
    }

    public FaissSettings inBackground(boolean inBackground) {
        return new FaissSettings(hnswThreshold, m, efConstruction, efSearch, compactFraction, buildThreads,
                inBackground);
    }

    public FaissSettings withCompactFraction(double fraction) {
        return new FaissSettings(hnswThreshold, m, efConstruction, efSearch, fraction, buildThreads, background);
    }
}
