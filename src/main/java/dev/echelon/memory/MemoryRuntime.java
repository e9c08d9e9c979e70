package dev.echelon.memory;

import java.util.Optional;

/**
 * Memory as the rest of the service sees it: the service when memory is on, and in any case the kind of vector index
 * this process uses (the router's kNN uses it too).
 *
 * @param service  contextual memory, empty when it is turned off
 * @param indexes  where vector indexes come from (FAISS, or the announced pure-Java fallback)
 * @param offReason why memory is off, when it is
 */
public record MemoryRuntime(Optional<MemoryService> service, VectorIndexes indexes, Optional<String> offReason) {

    public static MemoryRuntime on(MemoryService service, VectorIndexes indexes) {
        return new MemoryRuntime(Optional.of(service), indexes, Optional.empty());
    }

    public static MemoryRuntime off(VectorIndexes indexes, String reason) {
        return new MemoryRuntime(Optional.empty(), indexes, Optional.of(reason));
    }

    /** The memory service, or the exception {@code refusal} makes of a sentence saying that memory is off and why. */
    public <X extends RuntimeException> MemoryService require(java.util.function.Function<String, X> refusal) {
        return service.orElseThrow(() -> refusal.apply("Memory is turned off on this server ("
                + offReason.orElse("disabled") + ")."));
    }
}
