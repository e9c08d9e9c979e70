package dev.echelon.memory.faiss;

import dev.echelon.memory.MemoryStore;
import dev.echelon.memory.VectorIndex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaissIndexStartupTest {

    private static final int D = 384;

    @BeforeAll
    static void faiss() {
        FaissAvailable.orFail();
    }

    @Test
    void rebuildsFromTheStoreThenUsesTheSnapshotUntilTheStoreMovesOn(@TempDir Path dir) throws IOException {
        float[] rows = new ClusteredVectors(D, 20, 5).draw(1_200, 1);
        Path snapshot = dir.resolve("memory.faiss");
        FaissSettings settings = FaissSettings.defaults().withHnswThreshold(1_000);
        try (MemoryStore store = new MemoryStore(dir.resolve("memory.db"), D)) {
            long[] ids = new long[1_200];
            for (int i = 0; i < 1_200; i++) {
                ids[i] = store.add("scope-" + (i % 3), null, "coder", "memory " + i, ClusteredVectors.row(rows, i, D),
                        null, Instant.now());
            }
            IndexStartup.Opened first = IndexStartup.open(store, snapshot, settings);
            assertTrue(first.how().contains("rebuilt from the store"), first.how());
            assertEquals(FaissIndex.HNSW, first.index().kind());
            assertEquals(1_200, first.index().size());
            assertEquals(ids[17], first.index().search(ClusteredVectors.row(rows, 17, D), 1, id -> true).get(0).id());
            ((FaissIndex) first.index()).save(snapshot, first.storeVersion());
            ((FaissIndex) first.index()).close();

            IndexStartup.Opened second = IndexStartup.open(store, snapshot, settings);
            assertTrue(second.how().contains("snapshot at store version " + first.storeVersion()), second.how());
            assertEquals(1_200, second.index().size());
            ((FaissIndex) second.index()).close();

            store.delete("scope-0", ids[0]);
            IndexStartup.Opened third = IndexStartup.open(store, snapshot, settings);
            assertTrue(third.how().contains("rebuilt from the store"), "stale snapshot: " + third.how());
            VectorIndex index = third.index();
            assertEquals(1_199, index.size());
            ((FaissIndex) index).close();
        }
    }
}
