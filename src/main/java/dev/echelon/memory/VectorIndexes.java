package dev.echelon.memory;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where vector indexes come from: FAISS when its native library loads, the pure-Java exact index otherwise. The
 * choice is made once and said out loud ({@link #fallbackReason()}), never silently.
 */
public interface VectorIndexes {

    /** A new, empty index for {@code dims}-dimensional unit vectors. */
    VectorIndex create(int dims);

    /**
     * The index saved at {@code file} when it is there, readable and written at store version {@code version};
     * empty otherwise (the caller rebuilds from the store).
     */
    Optional<VectorIndex> load(Path file, int dims, long version);

    /** Writes {@code index} to {@code file} atomically, tagged with {@code version}; false when it cannot be saved. */
    boolean save(VectorIndex index, Path file, long version);

    /** {@code faiss} or {@code java-exact}. */
    String backend();

    /** Why FAISS is not used, when it is not. */
    Optional<String> fallbackReason();

    /** Exact search in plain Java, for when FAISS is absent (or not wanted): nothing to snapshot, rebuilt fast. */
    static VectorIndexes javaExact(String reason) {
        return new VectorIndexes() {
            @Override
            public VectorIndex create(int dims) {
                return new ExactIndex(dims);
            }

            @Override
            public Optional<VectorIndex> load(Path file, int dims, long version) {
                return Optional.empty();
            }

            @Override
            public boolean save(VectorIndex index, Path file, long version) {
                return false;
            }

            @Override
            public String backend() {
                return "java-exact";
            }

            @Override
            public Optional<String> fallbackReason() {
                return Optional.of(reason);
            }
        };
    }
}
