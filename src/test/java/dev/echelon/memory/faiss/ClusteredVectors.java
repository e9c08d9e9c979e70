package dev.echelon.memory.faiss;

import java.util.SplittableRandom;

/**
 * Synthetic unit vectors shaped like sentence embeddings, for tests and bench/memory. Real embeddings are neither
 * uniform on the sphere (the worst case for any graph index: every point is about as far as every other) nor
 * single points per topic: they gather around topics, and within a topic they vary along a few directions only.
 * So each vector is
 *
 * <pre>  normalise( c_t + U_t z + e )</pre>
 *
 * with t one of {@code topics} topics drawn uniformly, c_t a random unit topic centre, U_t a random 384 x
 * {@value #RANK} basis of unit columns (the topic's own directions of variation), z Gaussian with standard
 * deviations 0.3 * 0.9^i along those directions, and e isotropic Gaussian noise of total norm about 0.2. Two vectors
 * of one topic then have a cosine similarity around 0.65, of different topics around 0, much as
 * all-MiniLM-L6-v2 gives for sentences on one subject and on unrelated ones. Queries are fresh draws from the same
 * distribution (another seed), as a new memory would be. Deterministic for a given seed.
 */
public final class ClusteredVectors {

    static final int RANK = 24;
    private static final double SPREAD = 0.3;
    private static final double DECAY = 0.9;
    private static final double NOISE = 0.2;

    private final int dims;
    private final int topics;
    private final float[] centres;
    private final float[] bases;

    public ClusteredVectors(int dims, int topics, long shapeSeed) {
        this.dims = dims;
        this.topics = topics;
        SplittableRandom r = new SplittableRandom(shapeSeed);
        centres = new float[topics * dims];
        bases = new float[topics * RANK * dims];
        for (int t = 0; t < topics; t++) {
            gaussianUnit(r, centres, t * dims);
            for (int i = 0; i < RANK; i++) {
                gaussianUnit(r, bases, (t * RANK + i) * dims);
            }
        }
    }

    /** {@code n} vectors back to back, drawn with {@code seed}. */
    public float[] draw(int n, long seed) {
        float[] out = new float[Math.multiplyExact(n, dims)];
        SplittableRandom r = new SplittableRandom(seed);
        double[] z = new double[RANK];
        double noise = NOISE / Math.sqrt(dims);
        for (int v = 0; v < n; v++) {
            int t = r.nextInt(topics);
            for (int i = 0; i < RANK; i++) {
                z[i] = gaussian(r) * SPREAD * Math.pow(DECAY, i);
            }
            int o = v * dims;
            double norm = 0;
            for (int j = 0; j < dims; j++) {
                double x = centres[t * dims + j] + gaussian(r) * noise;
                for (int i = 0; i < RANK; i++) {
                    x += bases[(t * RANK + i) * dims + j] * z[i];
                }
                out[o + j] = (float) x;
                norm += x * x;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < dims; j++) {
                out[o + j] *= inv;
            }
        }
        return out;
    }

    /** Row {@code i} of a block from {@link #draw}. */
    public static float[] row(float[] block, int i, int dims) {
        float[] v = new float[dims];
        System.arraycopy(block, i * dims, v, 0, dims);
        return v;
    }

    private void gaussianUnit(SplittableRandom r, float[] into, int offset) {
        double norm = 0;
        for (int j = 0; j < dims; j++) {
            double x = gaussian(r);
            into[offset + j] = (float) x;
            norm += x * x;
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int j = 0; j < dims; j++) {
            into[offset + j] *= inv;
        }
    }

    /** Box-Muller; SplittableRandom has no nextGaussian on Java 17. */
    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
