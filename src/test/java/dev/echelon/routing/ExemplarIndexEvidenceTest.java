package dev.echelon.routing;

import dev.echelon.memory.Vectors;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The outcome evidence found through the vector index (one top-k search, per-role searches only when needed) equals
 * scoring every recorded outcome, whatever the mix of roles, similarities and ring-buffer overwrites.
 */
class ExemplarIndexEvidenceTest {

    private static final String[] WORDS = {"rust", "borrow", "vector", "soup", "docker", "matrix", "eigen", "tax",
        "garden", "python", "async", "lock", "proof", "lemma"};

    private record Recorded(float[] v, String role, boolean ok) {
    }

    @Test
    void indexedEvidenceEqualsScoringEveryOutcome() {
        HashingEmbedder embedder = new HashingEmbedder(64);
        qt().withFixedSeed(20261121L).withExamples(40)
                .forAll(longs().all(), integers().between(1, 4), integers().between(5, 120))
                .checkAssert((seed, roles, n) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    ExemplarIndex.Config config = new ExemplarIndex.Config(50, 1 + r.nextInt(6), 0.3);
                    ExemplarIndex index = new ExemplarIndex(embedder, config);
                    List<Recorded> ring = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        float[] v = Vectors.unit(embedder.embed(sentence(r)));
                        String role = "role" + r.nextInt(roles);
                        boolean ok = r.nextBoolean();
                        index.recordOutcome(v, role, ok);
                        ring.add(new Recorded(v, role, ok));
                        if (ring.size() > config.outcomeCapacity()) {
                            ring.remove(0);
                        }
                    }
                    for (int q = 0; q < 5; q++) {
                        float[] query = Vectors.unit(embedder.embed(sentence(r)));
                        var got = index.query(query, 3).roles();
                        // outcomes equally similar to the query may be taken in any order at the per-role cut-off:
                        // the success rate must lie between taking the failures first and the successes first
                        var low = bruteForce(ring, query, config, false);
                        var high = bruteForce(ring, query, config, true);
                        assertEquals(low.keySet(), got.keySet());
                        low.forEach((role, e) -> {
                            assertEquals(e.count(), got.get(role).count(), role);
                            assertEquals(e.weight(), got.get(role).weight(), 1e-4, role);
                            double rate = got.get(role).successRate();
                            assertTrue(rate >= e.successRate() - 1e-4 && rate <= high.get(role).successRate() + 1e-4,
                                    role + ": " + rate + " outside [" + e.successRate() + ", "
                                            + high.get(role).successRate() + "]");
                        });
                    }
                });
    }

    private static String sentence(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            sb.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
        }
        return sb.toString();
    }

    private static Map<String, Neighbourhood.RoleEvidence> bruteForce(List<Recorded> ring, float[] q,
            ExemplarIndex.Config config, boolean successesFirst) {
        double s0 = config.minOutcomeSimilarity();
        Map<String, List<double[]>> byRole = new HashMap<>();
        for (Recorded x : ring) {
            double sim = Vectors.dot(q, x.v());
            if (sim >= s0) {
                byRole.computeIfAbsent(x.role(), k -> new ArrayList<>()).add(new double[] {sim, x.ok() ? 1 : 0});
            }
        }
        Map<String, Neighbourhood.RoleEvidence> out = new HashMap<>();
        byRole.forEach((role, hits) -> {
            // similarities equal to 1e-6 count as tied (the index scores in float)
            hits.sort(Comparator.comparingDouble((double[] h) -> Math.round(h[0] * 1e6)).reversed()
                    .thenComparingDouble(h -> successesFirst ? -h[1] : h[1]));
            int m = Math.min(hits.size(), config.outcomesPerRole());
            double w = 0;
            double ok = 0;
            for (int i = 0; i < m; i++) {
                double wi = Math.max(0, Math.min(1, (hits.get(i)[0] - s0) / (1 - s0)));
                w += wi;
                ok += hits.get(i)[1] * wi;
            }
            if (w > 0) {
                out.put(role, new Neighbourhood.RoleEvidence(ok / w, w, m));
            }
        });
        return out;
    }
}
