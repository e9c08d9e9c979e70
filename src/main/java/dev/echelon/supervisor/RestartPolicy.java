package dev.echelon.supervisor;

/**
 * Exponential backoff between restarts of a failing server: initial, 2×, 4× … up to a cap. A server that stayed up
 * for {@code stableMs} before failing starts again from the initial delay.
 */
public record RestartPolicy(long initialMs, long maxMs, long stableMs) {

    public long delayMs(int consecutiveFailures) {
        if (consecutiveFailures <= 0) {
            return 0;
        }
        int shift = Math.min(consecutiveFailures - 1, 30);
        return Math.min(maxMs, initialMs << shift);
    }
}
