package dev.echelon.fake;

import java.nio.charset.StandardCharsets;

/** Stable 64-bit hashing (FNV-1a, then a SplitMix finaliser) for seeding every deterministic choice. */
final class Hashing {

    private Hashing() {
    }

    static long of(Object... parts) {
        long h = 0xcbf29ce484222325L;
        for (Object part : parts) {
            byte[] b = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
            for (byte x : b) {
                h ^= x & 0xff;
                h *= 0x100000001b3L;
            }
            h ^= 0x1f;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1) from a hash. */
    static double unit(long h) {
        return (mix(h) >>> 11) * 0x1.0p-53;
    }
}
