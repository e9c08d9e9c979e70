package dev.echelon.supervisor;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LoadDurationsTest {

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final LoadDurations loads = new LoadDurations(metrics, id -> id.substring(0, id.indexOf('-')));
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    private void change(String id, ServerState from, ServerState to, long ms) {
        loads.accept(new StateChange(id, from, to, t0.plusMillis(ms), "test"));
    }

    @Test
    void timesStartToReadyPerRole() {
        change("worker-0", ServerState.STOPPED, ServerState.STARTING, 0);
        change("worker-0", ServerState.STARTING, ServerState.LOADING, 300);
        change("worker-0", ServerState.LOADING, ServerState.READY, 1_250);
        Timer t = metrics.find("echelon.backend.load.duration").tag("role", "worker").timer();
        assertEquals(1, t.count());
        assertEquals(1_250, t.totalTime(TimeUnit.MILLISECONDS), 0.001);
    }

    @Test
    void aFailedStartIsNoLoadTime() {
        change("coder-0", ServerState.STOPPED, ServerState.STARTING, 0);
        change("coder-0", ServerState.STARTING, ServerState.FAILED, 500);
        change("coder-0", ServerState.FAILED, ServerState.READY, 700); // without a new start: not a load
        assertNull(metrics.find("echelon.backend.load.duration").timer());
        change("coder-0", ServerState.READY, ServerState.STARTING, 1_000);
        change("coder-0", ServerState.STARTING, ServerState.READY, 1_400);
        assertEquals(400, metrics.find("echelon.backend.load.duration").timer().totalTime(TimeUnit.MILLISECONDS),
                0.001);
    }
}
