package dev.echelon.pipeline;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LatencyWindowTest {

    private final AtomicLong now = new AtomicLong();
    private final LatencyWindow window = new LatencyWindow(Duration.ofSeconds(60), 100, now::get);

    @Test
    void nearestRankPercentilesPerRole() {
        for (int ms = 1; ms <= 100; ms++) {
            window.record("worker", ms);
        }
        window.record("coder", 40);
        LatencyWindow.Percentiles w = window.percentiles().get("worker");
        assertEquals(new LatencyWindow.Percentiles(100, 50, 95, 99), w);
        assertEquals(new LatencyWindow.Percentiles(1, 40, 40, 40), window.percentiles().get("coder"));
    }

    @Test
    void samplesOlderThanTheWindowLeave() {
        window.record("worker", 900);
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        window.record("worker", 10);
        assertEquals(new LatencyWindow.Percentiles(1, 10, 10, 10), window.percentiles().get("worker"));
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        assertFalse(window.percentiles().containsKey("worker"), "an idle role has no percentiles, not stale ones");
    }

    @Test
    void theCapKeepsTheNewest() {
        for (int i = 0; i < 150; i++) {
            window.record("worker", i < 50 ? 10_000 : 5);
        }
        LatencyWindow.Percentiles w = window.percentiles().get("worker");
        assertEquals(100, w.samples());
        assertEquals(5, w.p99(), "the 50 old slow answers were dropped");
    }

    @Test
    void refusesAnEmptyWindow() {
        assertThrows(IllegalArgumentException.class, () -> new LatencyWindow(Duration.ZERO, 1, System::nanoTime));
    }
}
