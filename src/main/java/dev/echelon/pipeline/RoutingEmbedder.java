package dev.echelon.pipeline;

import dev.echelon.memory.EmbeddingService;
import dev.echelon.routing.Embedder;
import dev.echelon.routing.HashingEmbedder;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The embedding space the router's kNN and contextual memory work in: the in-process sentence model when it loads, otherwise — said
 * loudly, once — a hashed bag-of-words space. The choice is made once, up front, because exemplar and query vectors
 * must come from the same space.
 */
final class RoutingEmbedder {

    private static final Logger LOG = Logger.getLogger(RoutingEmbedder.class);

    private RoutingEmbedder() {
    }

    static Embedder create(EmbeddingService service) {
        try {
            service.embed(List.of("probe"));
            return new Embedder() {
                @Override
                public float[] embed(String text) {
                    return service.embed(List.of(text)).vectors().get(0);
                }

                @Override
                public List<float[]> embedAll(List<String> texts) {
                    return service.embed(texts).vectors();
                }

                @Override
                public String space() {
                    return EmbeddingService.MODEL_NAME + "-" + EmbeddingService.DIMENSIONS;
                }
            };
        } catch (RuntimeException | LinkageError e) {
            LOG.warnf("routing kNN: the in-process embedding model is unavailable (%s); using a hashed "
                    + "bag-of-words space instead", e.toString());
            return new HashingEmbedder();
        }
    }
}
