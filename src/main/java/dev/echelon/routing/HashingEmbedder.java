package dev.echelon.routing;

import java.util.Locale;
import java.util.Set;

/**
 * A deterministic bag-of-words embedder: lower-cased word tokens (stop words dropped) and word bigrams, hashed
 * into {@code dimensions} buckets with a sign bit, then L2-normalised. No model, no I/O, the same vector on every
 * JVM. Good enough for tests and as a fallback when sentence embeddings are unavailable; it sees shared words, not
 * meaning.
 */
public final class HashingEmbedder implements Embedder {

    private static final Set<String> STOP = Set.of("a", "an", "the", "and", "or", "of", "to", "in", "on", "for",
            "is", "are", "was", "were", "be", "it", "this", "that", "with", "as", "at", "by", "from", "i", "you", "me",
            "my", "we", "our", "your", "do", "does", "can", "could", "would", "should", "what", "how", "please", "it's",
            "its", "if", "but", "so", "not", "no", "have", "has", "about", "into", "than", "then", "there", "they");

    private final int dimensions;

    public HashingEmbedder(int dimensions) {
        if (dimensions < 8) {
            throw new IllegalArgumentException("dimensions must be ≥ 8 (was " + dimensions + ")");
        }
        this.dimensions = dimensions;
    }

    public HashingEmbedder() {
        this(384);
    }

    @Override
    public String space() {
        return "hashing-bow-" + dimensions;
    }

    @Override
    public float[] embed(String text) {
        float[] v = new float[dimensions];
        String prev = null;
        for (String raw : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}+#]+")) {
            if (raw.isEmpty() || STOP.contains(raw)) {
                continue;
            }
            add(v, raw, 1.0f);
            if (prev != null) {
                add(v, prev + " " + raw, 0.5f);
            }
            prev = raw;
        }
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        if (n > 0) {
            float inv = (float) (1 / Math.sqrt(n));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }

    private void add(float[] v, String token, float w) {
        int h = mix(token.hashCode());
        int bucket = Math.floorMod(h, dimensions);
        v[bucket] += ((h >>> 29) & 1) == 0 ? w : -w;
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
