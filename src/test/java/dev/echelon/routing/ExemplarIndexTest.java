package dev.echelon.routing;

import dev.echelon.memory.Vectors;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExemplarIndexTest {

    final Embedder embedder = new HashingEmbedder();

    @Test
    void hashingEmbedderIsDeterministicAndUnitLength() {
        float[] a = embedder.embed("Find the eigenvalues of a matrix");
        float[] b = new HashingEmbedder().embed("Find the eigenvalues of a matrix");
        assertEquals(384, a.length);
        assertEquals(1.0, Vectors.dot(a, a), 1e-5);
        assertEquals(1.0, Vectors.dot(a, b), 1e-6);
        double related = Vectors.dot(a, embedder.embed("eigenvalues of this matrix please"));
        double unrelated = Vectors.dot(a, embedder.embed("write a birthday poem for grandma"));
        assertTrue(related > 0.5 && Math.abs(unrelated) < 0.2, related + " vs " + unrelated);
    }

    @Test
    void shippedExemplarsCoverEveryCategoryAndDifficulty() {
        List<ExemplarIndex.Exemplar> ex = ExemplarIndex.loadDefaultExemplars();
        assertTrue(ex.size() >= 75, "exemplars: " + ex.size());
        for (String c : List.of("chat", "factual", "code", "math", "reasoning", "architecture", "long-context",
                "planning")) {
            List<ExemplarIndex.Exemplar> of = ex.stream().filter(e -> e.category().equals(c)).toList();
            assertTrue(of.size() >= 5, c + ": " + of.size());
            assertTrue(of.stream().anyMatch(e -> e.difficulty() <= 0.4), c + " has an easy exemplar");
            assertTrue(of.stream().anyMatch(e -> e.difficulty() >= 0.7), c + " has a hard exemplar");
        }
    }

    @Test
    void nearestNeighboursVoteAndAverageDifficulty() {
        ExemplarIndex index = new ExemplarIndex(embedder).addExemplars(List.of(
                new ExemplarIndex.Exemplar("integrate x squared times sine of x", "math", 0.6),
                new ExemplarIndex.Exemplar("integrate the function e to the x over zero to one", "math", 0.4),
                new ExemplarIndex.Exemplar("write a python function to parse dates", "code", 0.3),
                new ExemplarIndex.Exemplar("good morning, how are you", "chat", 0.05)));
        Neighbourhood nb = index.query("please integrate x squared times cosine of x", 2);
        assertEquals(2, nb.neighbours().size());
        assertEquals("integrate x squared times sine of x", nb.neighbours().get(0).text());
        assertEquals("math", nb.neighbours().get(1).category());
        assertTrue(nb.neighbours().get(0).similarity() >= nb.neighbours().get(1).similarity());
        assertEquals("math", nb.topCategory().orElseThrow());
        assertEquals(1.0, nb.topShare(), 1e-9);
        assertTrue(nb.meanDifficulty() > 0.4 && nb.meanDifficulty() < 0.6, "difficulty " + nb.meanDifficulty());
        assertTrue(nb.roles().isEmpty(), "no outcomes yet");

        Neighbourhood exact = index.query("good morning, how are you", 1);
        assertEquals("chat", exact.neighbours().get(0).category());
        assertEquals(1.0, exact.neighbours().get(0).similarity(), 1e-5);
    }

    @Test
    void shippedExemplarsFindThemselves() {
        ExemplarIndex index = ExemplarIndex.withDefaultExemplars(embedder, ExemplarIndex.Config.DEFAULTS);
        for (ExemplarIndex.Exemplar e : ExemplarIndex.loadDefaultExemplars()) {
            Neighbourhood nb = index.query(e.text(), 3);
            assertEquals(e.text(), nb.neighbours().get(0).text());
        }
    }

    @Test
    void pastOutcomesGiveSimilarityWeightedRoleEvidence() {
        ExemplarIndex index = new ExemplarIndex(embedder, new ExemplarIndex.Config(100, 10, 0.4));
        for (int i = 0; i < 6; i++) {
            index.recordOutcome("prove the inequality for all positive reals a b c number " + i, "math", false);
        }
        index.recordOutcome("prove the inequality for all positive reals a b c", "architect", true);
        index.recordOutcome("write a haiku about autumn leaves", "frontdoor", true);

        Neighbourhood nb = index.query("prove this inequality for all positive reals a b c", 5);
        Neighbourhood.RoleEvidence math = nb.role("math").orElseThrow();
        assertEquals(0.0, math.successRate(), 1e-9);
        assertEquals(6, math.count());
        assertTrue(math.weight() > 1 && math.weight() <= 6, "weight " + math.weight());
        assertEquals(1.0, nb.role("architect").orElseThrow().successRate(), 1e-9);
        assertFalse(nb.role("frontdoor").isPresent(), "dissimilar outcomes do not count");

        Neighbourhood other = index.query("write a haiku about autumn leaves falling", 5);
        assertFalse(other.role("math").isPresent());
        assertTrue(other.role("frontdoor").isPresent());
    }

    @Test
    void outcomesLiveInABoundedRingBuffer() {
        ExemplarIndex index = new ExemplarIndex(embedder, new ExemplarIndex.Config(5, 10, 0.5));
        for (int i = 0; i < 5; i++) {
            index.recordOutcome("sort a linked list in place", "coder", false);
        }
        for (int i = 0; i < 5; i++) {
            index.recordOutcome("sort a linked list in place", "coder", true);
        }
        assertEquals(5, index.outcomeCount());
        Neighbourhood.RoleEvidence e = index.query("sort a linked list in place", 3).role("coder").orElseThrow();
        assertEquals(1.0, e.successRate(), 1e-9, "the failures were overwritten");
        assertEquals(5, e.count());
        index.clearOutcomes();
        assertEquals(0, index.outcomeCount());
    }

    @Test
    void exemplarFilesAreValidated() throws Exception {
        String ok = """
                # comment
                {"text": "hi", "category": "chat", "difficulty": "easy"}

                {"prompt": "prove it", "category": "Maths", "difficulty": 0.9}
                """;
        List<ExemplarIndex.Exemplar> ex = ExemplarIndex.loadExemplars(
                new ByteArrayInputStream(ok.getBytes(StandardCharsets.UTF_8)), "ok.jsonl");
        assertEquals(2, ex.size());
        assertEquals(0.2, ex.get(0).difficulty(), 1e-9);
        assertEquals("math", ex.get(1).category());
        String bad = "{\"text\": \"hi\", \"category\": \"chat\", \"difficulty\": \"easy\"}\n"
                + "{\"text\": \"x\", \"category\": \"chat\", \"difficulty\": 1.5}\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExemplarIndex.loadExemplars(
                new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8)), "bad.jsonl"));
        assertTrue(e.getMessage().startsWith("bad.jsonl:2:"), e.getMessage());
    }
}
