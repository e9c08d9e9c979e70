package dev.echelon.routing;

import dev.echelon.memory.EmbeddingService;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exemplar index with the real in-process sentence embeddings (all-MiniLM-L6-v2). It must run inside Quarkus:
 * the ONNX tokenizer refuses to load in a second class loader, so plain unit tests use {@link HashingEmbedder}.
 */
@QuarkusTest
class RealEmbeddingsRoutingTest {

    @Inject
    EmbeddingService embeddings;

    Embedder embedder() {
        return new Embedder() {
            @Override
            public float[] embed(String text) {
                return embeddings.embed(List.of(text)).vectors().get(0);
            }

            @Override
            public List<float[]> embedAll(List<String> texts) {
                return embeddings.embed(texts).vectors();
            }
        };
    }

    @Test
    void neighboursAreSemanticallyRelated() {
        ExemplarIndex index = ExemplarIndex.withDefaultExemplars(embedder(), ExemplarIndex.Config.DEFAULTS);
        Neighbourhood math = index.query("Work out the area under y = x^3 between 0 and 2", 5);
        assertEquals("math", math.topCategory().orElseThrow(), math.toString());
        Neighbourhood chat = index.query("yo! hope your day is going great", 5);
        assertEquals("chat", chat.topCategory().orElseThrow(), chat.toString());
        Neighbourhood arch = index.query("How should we shard the user database and keep replicas consistent?", 5);
        assertEquals("architecture", arch.topCategory().orElseThrow(), arch.toString());
        System.out.printf("mean neighbour similarity: math %.2f, chat %.2f, architecture %.2f%n",
                math.meanSimilarity(), chat.meanSimilarity(), arch.meanSimilarity());
    }

    @Test
    void rulesPlusNeighboursOnTheEvalSet() {
        double acc = ClassifierEvalTest.routerCategoryAccuracy(embedder(), "all-MiniLM-L6-v2");
        assertTrue(acc >= 0.7, "accuracy " + acc);
    }
}
