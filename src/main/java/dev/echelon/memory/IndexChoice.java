package dev.echelon.memory;

/** Picks the vector indexes for this process once, at startup. */
final class IndexChoice {

    private IndexChoice() {
    }

    static VectorIndexes choose(boolean faissWanted, int hnswThreshold) {
        if (!faissWanted) {
            return VectorIndexes.javaExact("turned off (ORCHESTRATOR_MEMORY_FAISS=false)");
        }
        return VectorIndexes.javaExact("the FAISS binding is not part of this build");
    }
}
