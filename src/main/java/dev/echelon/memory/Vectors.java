package dev.echelon.memory;

/** The two vector operations cosine search rests on. Every index and store here holds unit vectors. */
public final class Vectors {

    private Vectors() {
    }

    /** {@code v} scaled to length 1 (a copy; the zero vector stays zero). */
    public static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        float[] out = v.clone();
        if (n > 0) {
            float inv = (float) (1 / Math.sqrt(n));
            for (int i = 0; i < out.length; i++) {
                out[i] *= inv;
            }
        }
        return out;
    }

    /** The inner product: cosine similarity of two unit vectors. */
    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
