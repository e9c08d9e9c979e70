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

    void remove(long id);

    /** The {@code k} most similar vectors whose id passes {@code accept}, most similar first. */
    List<Hit> search(float[] query, int k, LongPredicate accept);

    long size();

    /** What backs it, e.g. {@code java-exact} or {@code faiss-hnsw}: announced at startup and in health data. */
    String kind();
}
