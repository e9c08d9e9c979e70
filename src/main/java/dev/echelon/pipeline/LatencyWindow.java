package dev.echelon.pipeline;

import dev.echelon.stats.Percentile;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Time to first token per role over a sliding window, for the dashboard's percentiles. Prometheus histograms are
 * cumulative since start; an operator watching a live system wants "the last few minutes", so the served answers'
 * TTFTs are also kept here, each role's dropped once older than the window or beyond a cap.
 */
public final class LatencyWindow {

    /** Percentiles of one role's window, in milliseconds. */
    public record Percentiles(int samples, double p50, double p95, double p99) {
    }

    private record Sample(long atNanos, double ms) {
    }

    private final long windowNanos;
    private final int cap;
    private final LongSupplier nanoTime;
    private final Map<String, Deque<Sample>> roles = new ConcurrentHashMap<>();

    public LatencyWindow(java.time.Duration window, int cap, LongSupplier nanoTime) {
        if (window.isNegative() || window.isZero() || cap < 1) {
            throw new IllegalArgumentException("a positive window and cap are expected");
        }
        this.windowNanos = window.toNanos();
        this.cap = cap;
        this.nanoTime = nanoTime;
    }

    /** Five minutes, at most 2,000 answers per role. */
    public static LatencyWindow standard() {
        return new LatencyWindow(java.time.Duration.ofMinutes(5), 2_000, System::nanoTime);
    }

    void record(String role, double ttftMs) {
        Deque<Sample> d = roles.computeIfAbsent(role, r -> new ArrayDeque<>());
        long now = nanoTime.getAsLong();
        synchronized (d) {
            d.addLast(new Sample(now, ttftMs));
            prune(d, now);
        }
    }

    /** Per role with at least one answer in the window: nearest-rank p50, p95, p99. Sorted by role. */
    public Map<String, Percentiles> percentiles() {
        long now = nanoTime.getAsLong();
        Map<String, Percentiles> out = new TreeMap<>();
        roles.forEach((role, d) -> {
            double[] v;
            synchronized (d) {
                prune(d, now);
                v = d.stream().mapToDouble(Sample::ms).toArray();
            }
            if (v.length > 0) {
                Arrays.sort(v);
                out.put(role, new Percentiles(v.length, Percentile.nearestRank(v, 0.50),
                        Percentile.nearestRank(v, 0.95), Percentile.nearestRank(v, 0.99)));
            }
        });
        return new LinkedHashMap<>(out);
    }

    private void prune(Deque<Sample> d, long now) {
        while (!d.isEmpty() && (d.size() > cap || now - d.peekFirst().atNanos() > windowNanos)) {
            d.removeFirst();
        }
    }
}
