package dev.echelon.memory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The child process of the crash test: writes memories as fast as it can and prints {@code ACK id} once each write
 * has returned — the moment Echelon would acknowledge it to a client. The test kills it with SIGKILL mid-stream.
 */
public final class MemoryWriterMain {

    public static void main(String[] args) {
        Path db = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        SplittableRandom r = new SplittableRandom(Long.parseLong(args[2]));
        try (MemoryStore store = new MemoryStore(db, MemoryStoreTest.DIMS)) {
            for (int i = 0; i < count; i++) {
                float[] v = MemoryStoreTest.randomUnit(r);
                long id = store.add(i % 2 == 0 ? "scope-a" : "scope-b", "s" + i, "worker", "memory " + i, v, "pass",
                        Instant.now());
                System.out.println("ACK " + id + " " + i);
                System.out.flush();
            }
        }
    }

    private MemoryWriterMain() {
    }
}
