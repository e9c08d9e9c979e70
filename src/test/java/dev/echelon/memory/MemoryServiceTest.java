package dev.echelon.memory;

import dev.echelon.routing.HashingEmbedder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/** The memory service over a real store and index, with the hashed bag-of-words embedder (deterministic, fast). */
class MemoryServiceTest {

    @TempDir
    Path dir;

    private final HashingEmbedder embedder = new HashingEmbedder();

    private MemoryService open(Path at, VectorIndexes indexes, MemorySettings settings, Clock clock) {
        MemoryStore store = new MemoryStore(at.resolve("memory.sqlite"), 384, embedder.space(),
                MemoryService.reembedder(embedder));
        MemoryService s = MemoryService.start(store, indexes, at.resolve("index.bin"), embedder, settings,
                new SimpleMeterRegistry(), clock);
        s.flush(); // the index is open
        return s;
    }

    private MemoryService open() {
        return open(dir, VectorIndexes.javaExact("test"), MemorySettings.DEFAULTS, Clock.systemUTC());
    }

    @Test
    void rememberedExchangesAreRecalledByMeaningAndRankedBySimilarityTimesUsefulness() {
        try (MemoryService m = open()) {
            Memory rust = m.remember("key-a", "s1", "coder", "Q: how do I borrow a vector mutably in rust "
                    + "A: use a mutable reference to the vector", "pass").join();
            m.remember("key-a", "s1", "worker", "Q: best soup recipe for winter A: lentil soup with cumin", "pass")
                    .join();
            List<Recalled> got = m.recall("key-a", "how do I borrow a vector mutably in rust");
            assertFalse(got.isEmpty(), "a near-identical question recalls the exchange");
            assertEquals(rust.id(), got.get(0).memory().id());
            assertTrue(got.get(0).similarity() >= MemorySettings.DEFAULTS.minSimilarity());
            assertEquals(got.get(0).similarity() * 0.5, got.get(0).score(), 1e-9, "score = similarity × usefulness");
            assertTrue(m.recall("key-a", "quantum chromodynamics lattice gauge").isEmpty(),
                    "nothing above the threshold, nothing recalled");

            // two equally similar memories: the one rated useful ranks first
            Memory a = m.remember("key-a", null, "worker", "deploy the service with docker compose up", null).join();
            Memory b = m.remember("key-a", null, "worker", "deploy the service with docker compose up -d", null)
                    .join();
            m.reward("key-a", b.id(), 1.0);
            m.reward("key-a", a.id(), 0.0);
            List<Recalled> ranked = m.search("key-a", "deploy the service with docker compose", 2, 0.0);
            assertEquals(List.of(b.id(), a.id()), ranked.stream().map(r -> r.memory().id()).toList());
        }
    }

    /** Key A's memories never appear in key B's recall, search or list — over random worlds of keys and texts. */
    @Test
    void oneKeyNeverSeesAnothersMemories() {
        String[] words = {"rust", "borrow", "vector", "soup", "lentil", "docker", "deploy", "matrix", "eigen",
            "invoice", "tax", "garden", "tomato", "python", "async", "lock"};
        qt().withFixedSeed(20261121L).withExamples(12).forAll(longs().all(), integers().between(2, 5))
                .checkAssert((seed, keys) -> {
                    Path world = dir.resolve("w" + Long.toHexString(seed));
                    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                    try (MemoryService m = open(world, VectorIndexes.javaExact("test"), MemorySettings.DEFAULTS,
                            Clock.systemUTC())) {
                        Map<Long, String> owner = new HashMap<>();
                        List<String> texts = new ArrayList<>();
                        for (int i = 0; i < 60; i++) {
                            String key = "key-" + r.nextInt(keys);
                            StringBuilder t = new StringBuilder();
                            for (int w = 0; w < 6; w++) {
                                t.append(words[r.nextInt(words.length)]).append(' ');
                            }
                            Memory mem = m.remember(key, null, "worker", t.toString(), null).join();
                            owner.put(mem.id(), key);
                            texts.add(t.toString());
                        }
                        for (int k = 0; k < keys; k++) {
                            String key = "key-" + k;
                            for (Memory x : m.list(key, 1000, 0)) {
                                assertEquals(key, owner.get(x.id()), "list");
                            }
                            for (String q : texts.subList(0, 10)) {
                                for (Recalled x : m.search(key, q, 20, -1)) {
                                    assertEquals(key, owner.get(x.memory().id()), "search");
                                }
                                for (Recalled x : m.recall(key, q)) {
                                    assertEquals(key, owner.get(x.memory().id()), "recall");
                                }
                            }
                            long someoneElses = owner.entrySet().stream().filter(e -> !e.getValue().equals(key))
                                    .map(Map.Entry::getKey).findFirst().orElse(-1L);
                            if (someoneElses >= 0) {
                                assertTrue(m.get(key, someoneElses).isEmpty(), "get");
                                assertFalse(m.delete(key, someoneElses).join(), "delete");
                                assertTrue(m.reward(key, someoneElses, 1.0).isEmpty(), "reward");
                            }
                        }
                    }
                });
    }

    @Test
    void deletesAndRetentionLeaveTheIndexInStepWithTheStore() {
        Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        MemorySettings settings = new MemorySettings(4, 0.6, 512, Duration.ofDays(30), 3, 0.2, Duration.ofHours(1));
        try (MemoryService m = open(dir, VectorIndexes.javaExact("test"), settings, clock)) {
            Memory old = m.remember("key-a", null, "worker", "an old note about tomatoes", null).join();
            now[0] = now[0].plus(Duration.ofDays(40));
            List<Long> fresh = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fresh.add(m.remember("key-a", null, "worker", "fresh note number " + i + " about tomatoes", null)
                        .join().id());
            }
            assertEquals(2, m.purge().join(), "one past the TTL, one beyond the 3 newest");
            Set<Long> left = m.list("key-a", 10, 0).stream().map(Memory::id).collect(Collectors.toSet());
            assertEquals(Set.copyOf(fresh.subList(1, 4)), left);
            Set<Long> found = m.search("key-a", "note about tomatoes", 10, -1).stream().map(r -> r.memory().id())
                    .collect(Collectors.toSet());
            assertEquals(left, found, "the index holds exactly what the store holds");
            assertFalse(found.contains(old.id()));
            assertTrue(m.delete("key-a", fresh.get(3)).join());
            assertEquals(2, m.deleteAll("key-a").join());
            assertTrue(m.search("key-a", "note about tomatoes", 10, -1).isEmpty());
        }
    }

    @Test
    void aStoreWrittenInAnotherEmbeddingSpaceIsReembeddedNotLost() {
        Path file = dir.resolve("memory.sqlite");
        HashingEmbedder small = new HashingEmbedder(64);
        try (MemoryStore s = new MemoryStore(file, 64, small.space(), MemoryService.reembedder(small))) {
            s.add("key-a", null, "worker", "kubernetes pod keeps restarting", Vectors.unit(
                    small.embed("kubernetes pod keeps restarting")), null, Instant.now());
        }
        try (MemoryService m = open()) {
            assertEquals(1, m.count("key-a"));
            List<Recalled> got = m.recall("key-a", "kubernetes pod keeps restarting");
            assertEquals(1, got.size(), "found in the new space");
            assertTrue(got.get(0).similarity() > 0.99);
        }
    }

    /** Snapshots: a saving index kind is reloaded when current and rebuilt when the store moved on after it. */
    @Test
    void aSnapshotIsUsedOnlyWhenItMatchesTheStoresVersion() throws Exception {
        RecordingIndexes indexes = new RecordingIndexes();
        try (MemoryService m = open(dir, indexes, MemorySettings.DEFAULTS, Clock.systemUTC())) {
            m.remember("key-a", null, "worker", "first note", null).join();
        } // close saves
        assertEquals(1, indexes.saves);
        try (MemoryService m = open(dir, indexes, MemorySettings.DEFAULTS, Clock.systemUTC())) {
            assertEquals(1, indexes.loads, "current snapshot loaded");
            assertEquals(1, m.status().size());
        }
        // the store moves on without a snapshot (a crash after an acknowledged write)
        try (MemoryStore s = new MemoryStore(dir.resolve("memory.sqlite"), 384)) {
            s.add("key-a", null, "worker", "second note", Vectors.unit(embedder.embed("second note")), null,
                    Instant.now());
        }
        try (MemoryService m = open(dir, indexes, MemorySettings.DEFAULTS, Clock.systemUTC())) {
            assertEquals(1, indexes.loads, "stale snapshot refused");
            assertEquals(2, m.status().size(), "rebuilt from the store");
            assertEquals(1, m.search("key-a", "second note", 1, 0.9).size());
        }
        assertTrue(Files.exists(dir.resolve("index.bin")));
    }

    /** Saves the version next to nothing but a marker file; loads an exact index rebuilt from the recorded vectors. */
    private static final class RecordingIndexes implements VectorIndexes {
        int saves;
        int loads;
        long savedVersion = -1;
        final Map<Long, float[]> saved = new HashMap<>();

        @Override
        public VectorIndex create(int dims) {
            ExactIndex inner = new ExactIndex(dims);
            return new VectorIndex() {
                @Override
                public void add(long id, float[] vector) {
                    inner.add(id, vector);
                    current.put(id, vector);
                }

                @Override
                public void remove(long id) {
                    inner.remove(id);
                    current.remove(id);
                }

                @Override
                public List<Hit> search(float[] query, int k, java.util.function.LongPredicate accept) {
                    return inner.search(query, k, accept);
                }

                @Override
                public long size() {
                    return inner.size();
                }

                @Override
                public String kind() {
                    return "recording";
                }
            };
        }

        final Map<Long, float[]> current = new HashMap<>();

        @Override
        public java.util.Optional<VectorIndex> load(Path file, int dims, long version) {
            if (version != savedVersion || !Files.exists(file)) {
                return java.util.Optional.empty();
            }
            loads++;
            ExactIndex i = new ExactIndex(dims);
            saved.forEach(i::add);
            return java.util.Optional.of(i);
        }

        @Override
        public boolean save(VectorIndex index, Path file, long version) {
            try {
                Files.writeString(file, "v" + version);
            } catch (java.io.IOException e) {
                return false;
            }
            saved.clear();
            saved.putAll(current);
            savedVersion = version;
            saves++;
            return true;
        }

        @Override
        public String backend() {
            return "recording";
        }

        @Override
        public java.util.Optional<String> fallbackReason() {
            return java.util.Optional.empty();
        }
    }
}
