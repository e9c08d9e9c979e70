package dev.echelon.memory;

import java.util.List;
import java.util.function.LongPredicate;

/**
 * Nearest neighbours by inner product over L2-normalised vectors (cosine similarity), keyed by store ids. The index
 * is derived data: {@link MemoryStore} is the truth, and an index can always be rebuilt from it.
 */
public interface VectorIndex {

    /** One neighbour: a store id and its similarity to the query. */
    record Hit(long id, float score) {
    }

    void add(long id, float[] vector);

    /**
     * Adds (or replaces) many vectors at once, {@code vectors} holding {@code ids.length} rows back to back: a
     * rebuild goes through here, since an index may insert a batch much faster than one vector at a time.
     */
    default void addAll(long[] ids, float[] vectors) {
        int dims = ids.length == 0 ? 0 : vectors.length / ids.length;
        for (int i = 0; i < ids.length; i++) {
            add(ids[i], java.util.Arrays.copyOfRange(vectors, i * dims, (i + 1) * dims));
        }
    }

    void remove(long id);

    /** The {@code k} most similar vectors whose id passes {@code accept}, most similar first. */
    List<Hit> search(float[] query, int k, LongPredicate accept);

    long size();

    /** What backs it, e.g. {@code java-exact} or {@code faiss-hnsw}: announced at startup and in health data. */
    String kind();
}
