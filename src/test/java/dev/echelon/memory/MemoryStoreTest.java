package dev.echelon.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryStoreTest {

    static final int DIMS = 384;

    static float[] randomUnit(SplittableRandom r) {
        float[] v = new float[DIMS];
        double norm = 0;
        for (int i = 0; i < DIMS; i++) {
            v[i] = (float) r.nextGaussian();
            norm += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < DIMS; i++) {
            v[i] *= inv;
        }
        return v;
    }

    @Test
    void scopesNeverSeeEachOthersMemories(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(1);
        try (MemoryStore s = new MemoryStore(dir.resolve("m.db"), DIMS)) {
            long a = s.add("key-a", "s1", "coder", "A's secret", randomUnit(r), "pass", Instant.now());
            long b = s.add("key-b", "s2", "coder", "B's note", randomUnit(r), "pass", Instant.now());
            assertEquals(List.of(a), s.list("key-a", 10, 0).stream().map(Memory::id).toList());
            assertEquals(List.of(b), s.list("key-b", 10, 0).stream().map(Memory::id).toList());
            assertFalse(s.delete("key-b", a), "B cannot delete A's memory");
            assertTrue(s.reward("key-b", a, 1.0, 0.5).isEmpty(), "nor reward it");
            assertTrue(s.get(a).isPresent());
            assertTrue(s.delete("key-a", a));
            assertTrue(s.get(a).isEmpty());
        }
    }

    @Test
    void usefulnessMovesTowardsTheRewardByTheStep(@TempDir Path dir) {
        try (MemoryStore s = new MemoryStore(dir.resolve("m.db"), DIMS)) {
            long id = s.add("k", null, "worker", "t", randomUnit(new SplittableRandom(2)), null, Instant.now());
            assertEquals(0.5, s.get(id).orElseThrow().usefulness(), 1e-12);
            assertEquals(0.5 + 0.2 * (1.0 - 0.5), s.reward("k", id, 1.0, 0.2).orElseThrow(), 1e-12);
            assertEquals(0.6 + 0.2 * (0.0 - 0.6), s.reward("k", id, 0.0, 0.2).orElseThrow(), 1e-12);
            assertThrows(IllegalArgumentException.class, () -> s.reward("k", id, 1.5, 0.2));
        }
    }

    @Test
    void retentionDropsOldAndOverflowingMemoriesPerScope(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(3);
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        try (MemoryStore s = new MemoryStore(dir.resolve("m.db"), DIMS)) {
            long old = s.add("a", null, "w", "old", randomUnit(r), null, t0);
            List<Long> a = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                a.add(s.add("a", null, "w", "a" + i, randomUnit(r), null, t0.plusSeconds(3600 * 24 * 10 + i)));
            }
            long b = s.add("b", null, "w", "b", randomUnit(r), null, t0.plusSeconds(3600 * 24 * 10));
            long v = s.version();
            List<Long> gone = s.purge(t0.plusSeconds(3600 * 24), 3);
            assertTrue(gone.contains(old) && gone.contains(a.get(0)) && gone.size() == 2, gone.toString());
            assertEquals(List.of(a.get(3), a.get(2), a.get(1)), s.list("a", 10, 0).stream().map(Memory::id).toList());
            assertEquals(List.of(b), s.list("b", 10, 0).stream().map(Memory::id).toList());
            assertTrue(s.version() > v, "a purge is a change the index must follow");
        }
    }

    @Test
    void reopeningKeepsEverythingAndRefusesOtherDimensions(@TempDir Path dir) {
        float[] v = randomUnit(new SplittableRandom(4));
        long id;
        try (MemoryStore s = new MemoryStore(dir.resolve("m.db"), DIMS)) {
            id = s.add("k", "sess", "coder", "kept", v, "pass", Instant.now());
        }
        try (MemoryStore s = new MemoryStore(dir.resolve("m.db"), DIMS)) {
            Memory m = s.get(id).orElseThrow();
            assertArrayEquals(v, m.vector());
            assertEquals("kept", m.text());
            assertEquals("sess", m.session());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new MemoryStore(dir.resolve("m.db"), 768));
        assertTrue(e.getMessage().contains("holds 384-dimensional vectors, not 768"), e.getMessage());
    }

    /**
     * A writer process killed with SIGKILL mid-stream: every memory it acknowledged is in the store afterwards, and
     * an index rebuilt from the store finds each of them as its own nearest neighbour.
     */
    @Test
    void everyAcknowledgedMemorySurvivesSigkill(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("crash.db");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MemoryWriterMain.class.getName(), db.toString(),
                "1000000", "77").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Long> acked = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acked.add(Long.parseLong(line.split(" ")[1]));
                    if (acked.size() == 300) {
                        child.toHandle().destroyForcibly(); // SIGKILL, while it writes the next ones; the
                        // handle signals without closing our end of its stdout, so later acks are still read
                    }
                }
            }
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertTrue(acked.size() >= 300, "acknowledged " + acked.size());
        // the writer's vectors, regenerated from its seed, to check they came back bit for bit
        SplittableRandom r = new SplittableRandom(77);
        try (MemoryStore s = new MemoryStore(db, DIMS)) {
            ExactIndex index = new ExactIndex(DIMS);
            s.forEachVector(m -> index.add(m.id(), m.vector()));
            assertEquals(s.count(), index.size());
            for (long id : acked) {
                Memory m = s.get(id).orElseThrow(() -> new AssertionError("acknowledged memory " + id + " lost"));
                assertArrayEquals(randomUnit(r), m.vector(), "memory " + id);
                VectorIndex.Hit top = index.search(m.vector(), 1, x -> true).get(0);
                assertEquals(id, top.id());
            }
            assertTrue(s.count() >= acked.size() && s.count() <= acked.size() + 1,
                    "at most the one write in flight at the kill may also have landed: " + s.count());
        }
    }
}
