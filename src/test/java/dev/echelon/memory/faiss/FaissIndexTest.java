package dev.echelon.memory.faiss;

import dev.echelon.memory.ExactIndex;
import dev.echelon.memory.VectorIndex.Hit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaissIndexTest {

    private static final int D = 384;
    private static final int K = 10;
    private static final LongPredicate ALL = id -> true;
    private static final ClusteredVectors SHAPE = new ClusteredVectors(D, 200, 20261121L);

    /** The shared HNSW fixture: 25k clustered vectors (building the graph takes seconds, so it is built once). */
    private static final int BIG = 25_000;
    private static float[] bigRows;
    private static float[] bigQueries;
    private static FaissIndex big;
    private static ExactIndex bigExact;

    @BeforeAll
    static void buildBig() {
        FaissAvailable.orFail();
        bigRows = SHAPE.draw(BIG, 1);
        bigQueries = SHAPE.draw(200, 2);
        big = new FaissIndex(D, 1_000);
        bigExact = new ExactIndex(D);
        long[] ids = new long[BIG];
        for (int i = 0; i < BIG; i++) {
            ids[i] = 1_000_000_000_000L + i; // store ids are large; ids must survive the trip through int64 intact
            bigExact.add(ids[i], ClusteredVectors.row(bigRows, i, D));
        }
        big.addAll(ids, bigRows);
    }

    @AfterAll
    static void closeBig() {
        if (big != null) {
            big.close();
        }
    }

    @Test
    void flatReturnsTheSameTopKAsExactSearch() {
        float[] rows = SHAPE.draw(3_000, 3);
        float[] queries = SHAPE.draw(50, 4);
        try (FaissIndex flat = new FaissIndex(D)) {
            ExactIndex exact = fill(flat, rows, 0);
            assertEquals(FaissIndex.FLAT, flat.kind());
            assertEquals(3_000, flat.size());
            for (int q = 0; q < 50; q++) {
                float[] query = ClusteredVectors.row(queries, q, D);
                assertSameHits(exact.search(query, K, ALL), flat.search(query, K, ALL));
            }
        }
    }

    @Test
    void hnswRecallAtTenAgainstExactIsAtLeastNinetyFivePercent() {
        assertEquals(FaissIndex.HNSW, big.kind());
        assertEquals(BIG, big.size());
        double recall = 0;
        for (int q = 0; q < 200; q++) {
            float[] query = ClusteredVectors.row(bigQueries, q, D);
            List<Hit> got = big.search(query, K, ALL);
            assertEquals(K, got.size());
            assertDescendingAndTrueScores(got, query);
            recall += overlap(bigExact.search(query, K, ALL), got) / (double) K;
        }
        recall /= 200;
        assertTrue(recall >= 0.95, "recall@10 " + recall);
    }

    @Test
    void aRareScopeGetsItsExactTopKWhateverTheSelectivity() {
        LongPredicate rare = id -> id % 997 == 0; // about 25 of 25,000
        LongPredicate quarter = id -> id % 4 == 1; // fits within efSearch: answered under the read lock
        LongPredicate sixteenth = id -> id % 16 == 5; // needs a fetch deeper than efSearch: the widened walk
        LongPredicate three = id -> id == 1_000_000_000_003L || id == 1_000_000_012_345L || id == 1_000_000_024_999L;
        double quarterRecall = 0;
        double sixteenthRecall = 0;
        for (int q = 0; q < 20; q++) {
            float[] query = ClusteredVectors.row(bigQueries, q, D);
            List<Hit> expected = bigExact.search(query, K, rare);
            assertSameHits(expected, big.search(query, K, rare));
            assertEquals(3, big.search(query, K, three).size());
            List<Hit> got = big.search(query, K, quarter);
            assertEquals(K, got.size());
            got.forEach(h -> assertTrue(quarter.test(h.id())));
            quarterRecall += overlap(bigExact.search(query, K, quarter), got) / (double) K;
            List<Hit> deep = big.search(query, K, sixteenth);
            assertEquals(K, deep.size());
            deep.forEach(h -> assertTrue(sixteenth.test(h.id())));
            sixteenthRecall += overlap(bigExact.search(query, K, sixteenth), deep) / (double) K;
        }
        assertTrue(sixteenthRecall / 20 >= 0.9, "recall@10 within a sixteenth of the ids " + sixteenthRecall / 20);
        assertTrue(quarterRecall / 20 >= 0.9, "recall@10 within a quarter of the ids " + quarterRecall / 20);
    }

    @Test
    void aBatchOfQueriesGoesThroughBlasAndAgreesWithSingleQueries() {
        float[] rows = SHAPE.draw(2_000, 5);
        float[] queries = SHAPE.draw(64, 6);
        try (FaissIndex flat = new FaissIndex(D)) {
            fill(flat, rows, 0);
            List<List<Hit>> batch = flat.searchBatch(queries, K); // 64 >= 20: faiss's sgemm path
            assertEquals(64, batch.size());
            for (int q = 0; q < 64; q++) {
                assertSameHits(flat.search(ClusteredVectors.row(queries, q, D), K, ALL), batch.get(q));
            }
        }
        List<List<Hit>> graphBatch = big.searchBatch(bigQueries, K);
        assertEquals(200, graphBatch.size());
        graphBatch.forEach(hits -> assertEquals(K, hits.size()));
    }

    @Test
    void removedVectorsVanishFromTheFlatIndex() {
        float[] rows = SHAPE.draw(500, 7);
        try (FaissIndex flat = new FaissIndex(D)) {
            fill(flat, rows, 0);
            for (int i = 0; i < 500; i += 5) {
                flat.remove(i);
            }
            flat.remove(123_456); // absent: nothing happens
            assertEquals(400, flat.size());
            assertEquals(0, flat.tombstones());
            assertFalse(flat.contains(0));
            assertTrue(flat.contains(1));
            for (int i = 0; i < 500; i += 25) {
                List<Hit> hits = flat.search(ClusteredVectors.row(rows, i, D), 400, ALL);
                assertEquals(400, hits.size());
                hits.forEach(h -> assertTrue(h.id() % 5 != 0, "removed id " + h.id() + " returned"));
            }
        }
    }

    @Test
    void hnswRemovalLeavesTombstonesThatSearchesSkipUntilCompaction() {
        float[] rows = SHAPE.draw(2_000, 8);
        // inline rebuilds, so that each compaction happens exactly where the counts below say
        FaissSettings settings = FaissSettings.defaults().withHnswThreshold(800).withCompactFraction(0.3)
                .inBackground(false);
        try (FaissIndex index = new FaissIndex(D, settings)) {
            fill(index, rows, 0);
            assertEquals(FaissIndex.HNSW, index.kind());
            for (int i = 0; i < 500; i++) {
                index.remove(i);
            }
            assertEquals(1_500, index.size());
            assertEquals(500, index.tombstones()); // 500 / 2000 = 25%, under the compaction fraction
            for (int i = 0; i < 500; i += 10) {
                float[] own = ClusteredVectors.row(rows, i, D);
                List<Hit> hits = index.search(own, K, ALL);
                assertEquals(K, hits.size());
                hits.forEach(h -> assertTrue(h.id() >= 500, "tombstone " + h.id() + " returned"));
                assertEquals(i + 1_000, index.search(ClusteredVectors.row(rows, i + 1_000, D), 1, ALL).get(0).id());
            }
            for (int i = 500; i < 700; i++) {
                index.remove(i); // the 601st tombstone passes 30% of 2000 rows: compacted to 1399, still HNSW
            }
            assertEquals(99, index.tombstones());
            assertEquals(1_300, index.size());
            assertEquals(FaissIndex.HNSW, index.kind());
            assertEquals(1_000, index.search(ClusteredVectors.row(rows, 1_000, D), 1, ALL).get(0).id());
            for (int i = 700; i < 1_700; i++) {
                index.remove(i); // compactions at 979, 685, 479 live stay HNSW; at 335 < 400 it goes back to flat
            }
            assertEquals(FaissIndex.FLAT, index.kind());
            assertEquals(300, index.size());
            assertEquals(0, index.tombstones());
        }
    }

    @Test
    void aBackgroundCompactionKeepsServingAndReplaysTheWritesItMissed() throws InterruptedException {
        float[] rows = SHAPE.draw(3_000, 15);
        try (FaissIndex index = new FaissIndex(D, FaissSettings.defaults().withHnswThreshold(1_000))) {
            fill(index, rows, 0);
            assertEquals(FaissIndex.HNSW, index.kind());
            for (int i = 0; i < 1_500; i++) {
                index.remove(i); // the 601st removal starts a compaction; the rest land in its journal
                if (i % 100 == 0) {
                    float[] probe = ClusteredVectors.row(rows, 2_000 + i / 100, D);
                    assertEquals(2_000 + i / 100, index.search(probe, 1, ALL).get(0).id(), "served meanwhile");
                }
            }
            index.add(1_600, ClusteredVectors.row(rows, 10, D)); // a replacement during or after the rebuild
            index.awaitRebuild();
            assertEquals(1_500, index.size());
            assertTrue(index.tombstones() <= 0.2 * (index.size() + index.tombstones()), "compacted: " + index.tombstones());
            for (int i = 0; i < 1_500; i += 50) {
                index.search(ClusteredVectors.row(rows, i, D), K, ALL)
                        .forEach(h -> assertTrue(h.id() >= 1_500, "removed id " + h.id() + " returned"));
            }
            Hit top = index.search(ClusteredVectors.row(rows, 10, D), 1, ALL).get(0);
            assertEquals(1_600, top.id());
            assertEquals(1f, top.score(), 1e-5f);
        }
    }

    @Test
    void reAddingAnIdReplacesItsVectorInBothKinds() {
        float[] rows = SHAPE.draw(1_200, 9);
        for (int threshold : new int[] {FaissSettings.DEFAULT_HNSW_THRESHOLD, 500}) {
            try (FaissIndex index = new FaissIndex(D, threshold)) {
                fill(index, rows, 0);
                float[] before = ClusteredVectors.row(rows, 7, D);
                float[] after = ClusteredVectors.row(rows, 1_100, D);
                index.add(7, after);
                index.remove(1_100);
                assertEquals(1_199, index.size());
                Hit top = index.search(after, 1, ALL).get(0);
                assertEquals(7, top.id());
                assertEquals(1f, top.score(), 1e-5f);
                List<Hit> nearBefore = index.search(before, 1_199, ALL);
                Set<Long> seen = new HashSet<>();
                nearBefore.forEach(h -> assertTrue(seen.add(h.id()), "id " + h.id() + " returned twice"));
                nearBefore.stream().filter(h -> h.id() == 7)
                        .forEach(h -> assertEquals(dot(before, after), h.score(), 1e-5f));
            }
        }
    }

    @Test
    void snapshotsRoundTripBothKinds(@TempDir Path dir) throws IOException {
        float[] rows = SHAPE.draw(1_500, 10);
        float[] queries = SHAPE.draw(20, 11);
        for (int threshold : new int[] {FaissSettings.DEFAULT_HNSW_THRESHOLD, 600}) {
            Path file = dir.resolve("index-" + threshold + ".faiss");
            try (FaissIndex index = new FaissIndex(D, threshold)) {
                fill(index, rows, 0);
                index.remove(3);
                index.remove(4);
                index.save(file, 42);
                assertFalse(Files.exists(dir.resolve("index-" + threshold + ".faiss.tmp")));
                try (FaissIndex back = FaissIndex.load(file, D, 42).orElseThrow()) {
                    assertEquals(index.kind(), back.kind());
                    assertEquals(index.size(), back.size());
                    assertEquals(index.tombstones(), back.tombstones());
                    for (int q = 0; q < 20; q++) {
                        float[] query = ClusteredVectors.row(queries, q, D);
                        assertEquals(index.search(query, K, ALL), back.search(query, K, ALL));
                    }
                    back.add(3, ClusteredVectors.row(rows, 3, D)); // a loaded index takes further writes
                    assertEquals(3, back.search(ClusteredVectors.row(rows, 3, D), 1, ALL).get(0).id());
                }
            }
        }
    }

    @Test
    void missingCorruptTruncatedStaleOrForeignSnapshotsAreRefused(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.faiss");
        try (FaissIndex index = new FaissIndex(D, 300)) {
            fill(index, SHAPE.draw(600, 12), 0);
            index.save(good, 7);
        }
        assertTrue(FaissIndex.load(good, D, 7).map(i -> { i.close(); return true; }).orElse(false));

        assertTrue(FaissIndex.load(dir.resolve("absent.faiss"), D, 7).isEmpty());
        assertTrue(FaissIndex.load(good, D, 8).isEmpty(), "stale: the store moved on");
        assertTrue(FaissIndex.load(good, 128, 7).isEmpty(), "other dimensions");

        byte[] bytes = Files.readAllBytes(good);
        Path flipped = write(dir, "flipped.faiss", bytes);
        try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
            f.seek(bytes.length / 2);
            int b = f.read();
            f.seek(bytes.length / 2);
            f.write(b ^ 0x40);
        }
        assertTrue(FaissIndex.load(flipped, D, 7).isEmpty(), "one flipped bit");
        assertTrue(FaissIndex.load(write(dir, "cut-end.faiss", java.util.Arrays.copyOf(bytes, bytes.length - 10)), D, 7)
                .isEmpty(), "truncated trailer");
        byte[] cutMiddle = new byte[bytes.length - 1_000];
        System.arraycopy(bytes, 0, cutMiddle, 0, bytes.length / 2);
        System.arraycopy(bytes, bytes.length / 2 + 1_000, cutMiddle, bytes.length / 2, bytes.length / 2 - 1_000);
        assertTrue(FaissIndex.load(write(dir, "cut-middle.faiss", cutMiddle), D, 7).isEmpty(), "bytes lost inside");
        assertTrue(FaissIndex.load(write(dir, "empty.faiss", new byte[0]), D, 7).isEmpty());
        assertTrue(FaissIndex.load(write(dir, "text.faiss", "not an index at all, but long enough to hold a trailer.."
                .repeat(4).getBytes()), D, 7).isEmpty());
    }

    @Test
    void concurrentSearchesDuringWritesStayValid() throws Exception {
        float[] rows = SHAPE.draw(4_000, 13);
        float[] queries = SHAPE.draw(50, 14);
        try (FaissIndex index = new FaissIndex(D, 2_500)) {
            long[] firstIds = new long[1_500];
            for (int i = 0; i < firstIds.length; i++) {
                firstIds[i] = i;
            }
            index.addAll(firstIds, java.util.Arrays.copyOf(rows, 1_500 * D));
            AtomicBoolean writing = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch started = new CountDownLatch(4);
            List<Future<Integer>> searchers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                searchers.add(pool.submit(() -> {
                    started.countDown();
                    int done = 0;
                    do {
                        float[] q = ClusteredVectors.row(queries, (done + offset) % 50, D);
                        LongPredicate scope = offset % 2 == 0 ? ALL : id -> id % 3 == 0;
                        checkHits(index.search(q, K, scope), scope, problems);
                        done++;
                    } while (writing.get() || done < 20);
                    return done;
                }));
            }
            started.await();
            for (int i = 1_500; i < 4_000; i++) { // crosses the threshold: the flat index becomes HNSW mid-stream
                index.add(i, ClusteredVectors.row(rows, i, D));
                if (i % 7 == 0) {
                    index.remove(i - 1_000);
                }
            }
            writing.set(false);
            int searches = 0;
            for (Future<Integer> f : searchers) {
                searches += f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertTrue(problems.isEmpty(), String.join("\n", problems));
            assertTrue(searches >= 80, "searches " + searches);
            index.awaitRebuild();
            assertEquals(FaissIndex.HNSW, index.kind());
            assertEquals(4_000 - 357, index.size()); // 357 multiples of 7 in [1500, 4000) removed one id each
        }
    }

    private static void checkHits(List<Hit> hits, LongPredicate scope, ConcurrentLinkedQueue<String> problems) {
        Set<Long> seen = new HashSet<>();
        float last = Float.POSITIVE_INFINITY;
        for (Hit h : hits) {
            if (h.id() < 0 || h.id() >= 4_000 || !scope.test(h.id()) || !seen.add(h.id())) {
                problems.add("invalid or repeated id " + h.id());
            }
            if (h.score() > last + 1e-6f || Math.abs(h.score()) > 1.0001f) {
                problems.add("score out of order or range: " + h.score());
            }
            last = h.score();
        }
        if (hits.size() != K) {
            problems.add("expected " + K + " hits, got " + hits.size());
        }
    }

    /** One by one, as memories arrive; then waits for the switch to HNSW, if the adds crossed the threshold. */
    private static ExactIndex fill(FaissIndex index, float[] rows, long firstId) {
        int n = rows.length / D;
        ExactIndex exact = new ExactIndex(D);
        for (int i = 0; i < n; i++) {
            float[] v = ClusteredVectors.row(rows, i, D);
            index.add(firstId + i, v);
            exact.add(firstId + i, v);
        }
        try {
            index.awaitRebuild();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return exact;
    }

    /** Same ids at each rank, scores within 1e-5 (a swap of two neighbours closer than that is tolerated). */
    private static void assertSameHits(List<Hit> expected, List<Hit> actual) {
        assertEquals(expected.size(), actual.size(), "hit count");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).score(), actual.get(i).score(), 1e-5f, "score at rank " + i);
            Hit want = expected.get(i);
            if (want.id() != actual.get(i).id()) {
                assertTrue(actual.stream().anyMatch(h -> h.id() == want.id() && Math.abs(h.score() - want.score()) < 1e-5f),
                        "rank " + i + ": expected id " + want.id() + ", got " + actual.get(i).id());
            }
        }
    }

    private static void assertDescendingAndTrueScores(List<Hit> hits, float[] query) {
        for (int i = 0; i < hits.size(); i++) {
            Hit h = hits.get(i);
            float[] v = ClusteredVectors.row(bigRows, (int) (h.id() - 1_000_000_000_000L), D);
            assertEquals(dot(query, v), h.score(), 1e-5f, "score of " + h.id());
            if (i > 0) {
                assertTrue(hits.get(i - 1).score() >= h.score(), "order at rank " + i);
            }
        }
    }

    private static int overlap(List<Hit> a, List<Hit> b) {
        Set<Long> ids = new HashSet<>();
        a.forEach(h -> ids.add(h.id()));
        return (int) b.stream().filter(h -> ids.contains(h.id())).count();
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
