package dev.echelon.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * Text → vector, for nearest-neighbour lookups in {@link ExemplarIndex}. In the service this wraps the in-process
 * sentence-embedding model, e.g. {@code text -> embeddingService.embed(List.of(text)).vectors().get(0)} with
 * {@link #embedAll} overridden to batch; tests use {@link HashingEmbedder}. Vectors need not be normalised (the index
 * normalises them), but every call must return the same dimension.
 */
@FunctionalInterface
public interface Embedder {

    float[] embed(String text);

    /**
     * The name of the vector space this embedder maps into (model and dimensions): vectors from two spaces must never
     * be compared, so stored vectors are re-embedded when it changes.
     */
    default String space() {
        return getClass().getName();
    }

    /** One vector per text, in order. Override to batch. */
    default List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            out.add(embed(t));
        }
        return out;
    }
}
