package dev.echelon.memory.faiss;

import dev.echelon.memory.ExactIndex;
import dev.echelon.memory.MemoryStore;
import dev.echelon.memory.VectorIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Picks and fills the memory index at startup: FAISS where its library loads ({@link FaissSupport}), from the
 * snapshot when that is intact and at the store's version, otherwise rebuilt from the store in bulk; the exact
 * pure-Java index where FAISS is unavailable. {@link Opened#how()} is the line for the startup announcement and
 * health data.
 *
 * <p>The caller must keep writes away from the store until {@link #open} returns (or replay them): a memory added
 * during the rebuild is not in the index. A snapshot taken afterwards must be given the version read here
 * ({@link Opened#storeVersion()}) or a later one the index is known to reflect.
 */
public final class IndexStartup {

    /** Rows per native call while rebuilding: large enough for faiss's parallel insertion, small enough to copy. */
    private static final int BATCH = 10_000;

    /**
     * @param index        the index to serve
     * @param storeVersion the store version the index reflects
     * @param how          what was chosen and why, e.g. "faiss-hnsw: snapshot at version 812 (120000 vectors)"
     */
    public record Opened(VectorIndex index, long storeVersion, String how) {
    }

    private IndexStartup() {
    }

    public static Opened open(MemoryStore store, Path snapshot, FaissSettings settings) {
        int dims = store.dims();
        long version = store.version();
        FaissSupport.Status faiss = FaissSupport.status();
        if (!faiss.available()) {
            ExactIndex exact = new ExactIndex(dims);
            store.forEachVector(m -> exact.add(m.id(), m.vector()));
            return new Opened(exact, version, exact.kind() + ": " + exact.size()
                    + " vectors rebuilt from the store (FAISS unavailable: " + faiss.detail() + ")");
        }
        Optional<FaissIndex> loaded = FaissIndex.load(snapshot, dims, version, settings);
        if (loaded.isPresent()) {
            FaissIndex index = loaded.get();
            return new Opened(index, version, index.kind() + ": snapshot at store version " + version + " ("
                    + index.size() + " vectors, " + index.tombstones() + " tombstones)");
        }
        long t0 = System.nanoTime();
        FaissIndex index = new FaissIndex(dims, settings);
        List<Long> ids = new ArrayList<>(BATCH);
        float[] rows = new float[BATCH * dims];
        store.forEachVector(m -> {
            System.arraycopy(m.vector(), 0, rows, ids.size() * dims, dims);
            ids.add(m.id());
            if (ids.size() == BATCH) {
                flush(index, ids, rows, dims);
            }
        });
        flush(index, ids, rows, dims);
        return new Opened(index, version, String.format("%s: %d vectors rebuilt from the store in %d ms (no usable snapshot at %s)",
                index.kind(), index.size(), (System.nanoTime() - t0) / 1_000_000, snapshot));
    }

    private static void flush(FaissIndex index, List<Long> ids, float[] rows, int dims) {
        if (ids.isEmpty()) {
            return;
        }
        long[] batch = ids.stream().mapToLong(Long::longValue).toArray();
        float[] vectors = batch.length * dims == rows.length ? rows : java.util.Arrays.copyOf(rows, batch.length * dims);
        index.addAll(batch, vectors);
        ids.clear();
    }
}
