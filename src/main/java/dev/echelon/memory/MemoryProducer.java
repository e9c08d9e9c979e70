package dev.echelon.memory;

import dev.echelon.config.EchelonConfig;
import dev.echelon.routing.Embedder;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Wires contextual memory: the SQLite store under the data directory, the vector index, the service. */
public class MemoryProducer {

    @Produces
    @Singleton
    MemoryRuntime memory(EchelonConfig config, Embedder embedder, MeterRegistry metrics) {
        EchelonConfig.Memory m = config.memory();
        VectorIndexes indexes = IndexChoice.choose(m.faiss(), m.hnswThreshold(),
                Path.of(config.dataDir()).resolve("native"));
        if (!m.enabled()) {
            return MemoryRuntime.off(indexes, "turned off (ORCHESTRATOR_MEMORY_ENABLED=false)");
        }
        MemorySettings settings = new MemorySettings(m.recallK(), m.minSimilarity(), m.tokenBudget(),
                Duration.ofDays(m.retentionDays()), m.maxPerKey(), m.eta(), Duration.ofMillis(m.snapshotIntervalMs()));
        int dims = embedder.embed("dimension probe").length;
        Path dir = Path.of(config.dataDir());
        MemoryStore store = new MemoryStore(dir.resolve("memory.sqlite"), dims, embedder.space(),
                MemoryService.reembedder(embedder));
        return MemoryRuntime.on(MemoryService.start(store, indexes, dir.resolve("memory-index.faiss"), embedder,
                settings, metrics, Clock.systemUTC()), indexes);
    }

    void close(@Disposes MemoryRuntime memory) {
        memory.service().ifPresent(MemoryService::close);
    }
}
