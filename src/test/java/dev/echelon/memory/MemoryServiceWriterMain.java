package dev.echelon.memory;

import dev.echelon.routing.HashingEmbedder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The child of the service-level crash test: the whole memory service — store, the index this build picks (FAISS
 * where it loads, HNSW past a small threshold), snapshots every 100 ms — writing as fast as it can and printing
 * {@code ACK id i} when each write's future completes, the moment a client would be told. The test kills it with
 * SIGKILL mid-stream, so the kill may land in an insert, an index add or a snapshot's write.
 */
public final class MemoryServiceWriterMain {

    static final int HNSW_THRESHOLD = 200;

    public static String text(int i) {
        return "note " + i + " about topic t" + (i * 7919 % 1000) + " and detail d" + (i * 104729 % 977);
    }

    static MemoryService open(Path dir) {
        HashingEmbedder embedder = new HashingEmbedder();
        MemoryStore store = new MemoryStore(dir.resolve("memory.sqlite"), 384, embedder.space(),
                MemoryService.reembedder(embedder));
        MemorySettings settings = new MemorySettings(4, 0.6, 512, Duration.ZERO, 1_000_000, 0.2,
                Duration.ofMillis(100));
        return MemoryService.start(store, IndexChoice.choose(true, HNSW_THRESHOLD), dir.resolve("memory-index.faiss"),
                embedder, settings, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        MemoryService memory = open(dir);
        for (int i = 0; i < count; i++) {
            int n = i;
            memory.remember(n % 2 == 0 ? "key-a" : "key-b", null, "worker", text(n), null).thenAccept(m -> {
                System.out.println("ACK " + m.id() + " " + n);
                System.out.flush();
            }).join();
        }
        memory.close();
    }

    private MemoryServiceWriterMain() {
    }
}
