package dev.echelon.memory.faiss;

import dev.echelon.memory.MemoryServiceWriterMain;
import dev.echelon.memory.VectorIndex.Hit;
import dev.echelon.routing.HashingEmbedder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HNSW can leave a node that no search reaches: a memory stored, acknowledged and never recalled. The data is the
 * crash test's 600 notes under the hashing embedder, whose shared words tie many distances; a one-thread build of
 * them orphans a node every time (faiss 1.7.3), which is how MemoryCrashTest once failed on a rebuilt graph.
 */
class FaissReachabilityTest {

    private static final int N = 600;
    private static int dims;
    private static float[] rows;
    private static long[] ids;

    @BeforeAll
    static void notes() {
        FaissAvailable.orFail();
        HashingEmbedder embedder = new HashingEmbedder();
        dims = embedder.embed("x").length;
        rows = new float[N * dims];
        ids = new long[N];
        for (int i = 0; i < N; i++) {
            System.arraycopy(embedder.embed(MemoryServiceWriterMain.text(i)), 0, rows, i * dims, dims);
            ids[i] = i + 1;
        }
    }

    @Test
    void theGraphAloneOrphansANodeAndTheRepairLinksItBack() {
        try (Faiss.Index graph = Faiss.new_hnsw(dims, 32, 64, N).owned()) { // efSearch = every row: no search too narrow
            Faiss.add(graph, N, rows, ids, 1);
            List<Long> before = unreachable(graph);
            assertTrue(!before.isEmpty(), "this data orphans a node in a one-thread build");
            long linked = Faiss.repair_reachability(graph);
            assertTrue(linked >= 1 && linked <= before.size(), linked + " linked for " + before);
            assertEquals(List.of(), unreachable(graph), "found by its own vector after the repair");
            assertEquals(0, Faiss.repair_reachability(graph), "a whole graph needs no second repair");
        }
    }

    @Test
    void everyNoteIsFoundFirstByItsOwnVectorUnderItsOwnKeyHoweverItWasAdded() {
        for (int threads : new int[] {1, 2}) {
            FaissSettings settings = new FaissSettings(200, 32, 64, 192, 0.2, threads, false);
            try (FaissIndex bulk = new FaissIndex(dims, settings)) {
                bulk.addAll(ids, rows);
                assertEquals(FaissIndex.HNSW, bulk.kind());
                assertAllFound(bulk, "bulk, " + threads + " thread(s)");
            }
        }
        try (FaissIndex single = new FaissIndex(dims, new FaissSettings(200, 32, 64, 192, 0.2, 1, false))) {
            for (int i = 0; i < N; i++) {
                single.add(ids[i], row(i));
            }
            // single additions are repaired once they add up to rows/128: so many more notes, and the 600 are whole
            HashingEmbedder embedder = new HashingEmbedder();
            for (int i = N; i <= N + N / FaissIndex.REPAIR_PER_ROWS + 1; i++) {
                single.add(i + 1, embedder.embed(MemoryServiceWriterMain.text(i)));
            }
            assertEquals(FaissIndex.HNSW, single.kind());
            assertAllFound(single, "one at a time");
        }
    }

    /** Ids whose own vector does not come back first from an unfiltered search as wide as the index. */
    private static List<Long> unreachable(Faiss.Index graph) {
        List<Long> missed = new ArrayList<>();
        float[] score = new float[1];
        long[] label = new long[1];
        for (int i = 0; i < N; i++) {
            Faiss.search(graph, 1, row(i), 1, 1, score, label);
            if (label[0] != ids[i]) {
                missed.add(ids[i]);
            }
        }
        return missed;
    }

    /** Like the memory service: the crash test's two keys alternate, so every search is filtered to half the rows. */
    private static void assertAllFound(FaissIndex index, String how) {
        List<Long> missed = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            long parity = i % 2;
            List<Hit> hits = index.search(row(i), 1, id -> (id - 1) % 2 == parity);
            if (hits.isEmpty() || hits.get(0).id() != ids[i]) {
                missed.add(ids[i]);
            }
        }
        assertEquals(List.of(), missed, how);
    }

    private static float[] row(int i) {
        float[] r = new float[dims];
        System.arraycopy(rows, i * dims, r, 0, dims);
        return r;
    }
}
