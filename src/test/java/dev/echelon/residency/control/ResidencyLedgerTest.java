package dev.echelon.residency.control;

import dev.echelon.registry.ResidencyState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ledger's three outputs: the JSONL trace (rotated, nothing lost within what is kept), metrics, the ring. */
class ResidencyLedgerTest {

    private static LedgerEntry entry(long step, String role, ResidencyState from, ResidencyState to, String outcome) {
        return new LedgerEntry(step, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(step), role, "planner",
                "tick: coder 0.8/s ↑", step % 2 == 0 ? 12.5 : null, from, to, "q4_k_m", "q4_k_m",
                to == ResidencyState.S1 ? 64 : 0, "relaunch", 19_851_335_840L, 1815.3, 1790.0, 89.5, 12,
                0.82, 0.35, outcome);
    }

    @Test
    void everyTraceLineCarriesTheVOrchestrateFieldsAndEchelonsOwn(@TempDir Path dir) throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Path file = dir.resolve("residency-trace.jsonl");
        try (ResidencyLedger ledger = new ResidencyLedger(file, 1 << 20, 3, 10, metrics)) {
            ledger.record(entry(1, "coder", ResidencyState.S3, ResidencyState.S1, "ok"));
        }
        List<Map<String, Object>> lines = ResidencyLedger.read(file, 3);
        assertEquals(1, lines.size());
        Map<String, Object> line = lines.get(0);
        for (String field : List.of("step", "unit", "score", "old_state", "new_state", "action", "bytes_moved",
                "pressure", "variant", "gpu_layers", "planned_ms", "actual_ms", "cause", "timestamp", "outcome")) {
            assertTrue(line.containsKey(field), "missing " + field + " in " + line);
        }
        assertEquals("coder", line.get("unit"));
        assertEquals("S3", line.get("old_state"));
        assertEquals("S1", line.get("new_state"));
        assertEquals("relaunch", line.get("action"));
        assertEquals(19_851_335_840L, ((Number) line.get("bytes_moved")).longValue());
        assertEquals(64, line.get("gpu_layers"));
        assertEquals(1815.3, ((Number) line.get("planned_ms")).doubleValue(), 1e-9);
        assertEquals(1790.0, ((Number) line.get("actual_ms")).doubleValue(), 1e-9);
        assertEquals(0.82, ((Number) line.get("pressure")).doubleValue(), 1e-9);
        assertNull(line.get("score"), "no score from the policy: null, not made up");
        assertEquals("2026-01-01T00:00:01Z", line.get("timestamp"));
        assertEquals("ok", line.get("outcome"));
    }

    @Test
    void rotationKeepsEveryLineWithinTheKeptFilesInOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("residency-trace.jsonl");
        int n = 40;
        try (ResidencyLedger ledger = new ResidencyLedger(file, 2_000, 50, 5, new SimpleMeterRegistry())) {
            for (int i = 1; i <= n; i++) {
                ledger.record(entry(i, "worker", ResidencyState.S1, ResidencyState.S3, "ok"));
            }
            assertEquals(List.of(36L, 37L, 38L, 39L, 40L), ledger.recent(10).stream().map(LedgerEntry::step).toList(),
                    "the ring keeps the newest, oldest first");
            assertEquals(List.of(39L, 40L), ledger.recent(2).stream().map(LedgerEntry::step).toList());
        }
        assertTrue(Files.exists(dir.resolve("residency-trace.jsonl.1")), "rotated at 2000 bytes");
        try (var files = Files.list(dir)) {
            assertTrue(files.allMatch(f -> f.toFile().length() <= 2_000), "no file beyond the limit");
        }
        List<Map<String, Object>> lines = ResidencyLedger.read(file, 50);
        assertEquals(n, lines.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, ((Number) lines.get(i).get("step")).intValue());
        }
    }

    @Test
    void rotationDropsOnlyWhatIsBeyondTheKeptFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("residency-trace.jsonl");
        try (ResidencyLedger ledger = new ResidencyLedger(file, 1_500, 2, 5, new SimpleMeterRegistry())) {
            for (int i = 1; i <= 40; i++) {
                ledger.record(entry(i, "worker", ResidencyState.S1, ResidencyState.S3, "ok"));
            }
        }
        List<Map<String, Object>> lines = ResidencyLedger.read(file, 2);
        assertTrue(lines.size() < 40 && !lines.isEmpty(), lines.size() + " lines");
        List<Integer> steps = lines.stream().map(l -> ((Number) l.get("step")).intValue()).toList();
        assertEquals(40, steps.get(steps.size() - 1), "the newest is always there");
        for (int i = 1; i < steps.size(); i++) {
            assertEquals(steps.get(i - 1) + 1, steps.get(i), "contiguous: " + steps);
        }
        assertTrue(Files.notExists(dir.resolve("residency-trace.jsonl.3")));
    }

    @Test
    void metricsCountTransitionsAndTrackPressureAndState(@TempDir Path dir) {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (ResidencyLedger ledger = new ResidencyLedger(null, 1 << 20, 0, 10, metrics)) {
            ledger.record(entry(1, "coder", ResidencyState.S3, ResidencyState.S1, "ok"));
            ledger.record(entry(2, "coder", ResidencyState.S1, ResidencyState.S3, "failed: timed out; restored S1"));
            ledger.live(Map.of("coder", ResidencyState.S5, "worker", ResidencyState.S1), 0.75, 0.25);

            assertEquals(1.0, metrics.get("echelon.residency.transitions").tags("role", "coder", "from", "S3", "to",
                    "S1", "outcome", "ok").counter().count());
            assertEquals(1.0, metrics.get("echelon.residency.transitions").tags("outcome", "failed").counter()
                    .count());
            assertEquals(2, metrics.get("echelon.residency.transition.planned").tags("role", "coder").timer().count());
            assertEquals(1790.0, metrics.get("echelon.residency.transition.actual").tags("role", "coder").timer()
                    .max(java.util.concurrent.TimeUnit.MILLISECONDS), 1e-6);
            assertEquals(0.75, metrics.get("echelon.residency.gpu.pressure").gauge().value(), 1e-9);
            assertEquals(0.25, metrics.get("echelon.residency.host.pressure").gauge().value(), 1e-9);
            assertEquals(5.0, metrics.get("echelon.residency.state").tags("role", "coder").gauge().value(), 1e-9);
            assertEquals(1.0, metrics.get("echelon.residency.state").tags("role", "worker").gauge().value(), 1e-9);
            assertEquals(Set.of(1L, 2L), Set.copyOf(ledger.recent(5).stream().map(LedgerEntry::step).toList()));
        }
    }

    @Test
    void bytesGaugesShowUsedAgainstTheBudget() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (ResidencyLedger ledger = new ResidencyLedger(null, 1 << 20, 0, 10, metrics)) {
            ledger.live(Map.of("coder", ResidencyState.S1), new dev.echelon.residency.Footprint(6_000, 500),
                    new dev.echelon.residency.Budgets(8_000, 2_000));

            assertEquals(6_000, metrics.get("echelon.residency.gpu.bytes").tags("kind", "used").gauge().value());
            assertEquals(8_000, metrics.get("echelon.residency.gpu.bytes").tags("kind", "budget").gauge().value());
            assertEquals(500, metrics.get("echelon.residency.host.bytes").tags("kind", "used").gauge().value());
            assertEquals(2_000, metrics.get("echelon.residency.host.bytes").tags("kind", "budget").gauge().value());
            assertEquals(0.75, metrics.get("echelon.residency.gpu.pressure").gauge().value(), 1e-9);
            assertEquals(0.25, metrics.get("echelon.residency.host.pressure").gauge().value(), 1e-9);
        }
    }
}
