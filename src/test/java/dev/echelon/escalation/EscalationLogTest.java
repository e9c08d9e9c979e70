package dev.echelon.escalation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EscalationLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static EscalationEvent event(int i) {
        return new EscalationEvent(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(i), "req-" + i, "frontdoor",
                "worker", "escalate", ErrorCategory.LOW_QUALITY, "mean logprob -3.1", 1, 100L * i, 10L * i);
    }

    @Test
    void eventIsOneLineOfJsonAndRoundTrips() throws Exception {
        EscalationEvent e = new EscalationEvent(Instant.parse("2025-01-01T00:00:00Z"), "r\"1", "coder", null,
                "give_up", ErrorCategory.TIMEOUT, "line one\nline two", 3, 1234, 5678);
        String json = e.toJson();
        assertFalse(json.contains("\n"));
        JsonNode n = JSON.readTree(json);
        assertEquals("give_up", n.get("action").asText());
        assertTrue(n.get("to_role").isNull());
        assertEquals("TIMEOUT", n.get("category").asText());
        assertEquals(1234, n.get("tokens_so_far").asLong());
        assertEquals(e, EscalationEvent.fromJson(json));
    }

    @Test
    void eventFromAPolicyDecision() {
        EscalationState s = EscalationState.start("req-9", "code", Budget.DEFAULT)
                .withAttempt(Attempt.failed("frontdoor", "frontdoor-0", Attempt.Kind.FIRST, ErrorCategory.FORMAT,
                        "invalid json", 300, 1200));
        EscalationEvent e = EscalationEvent.of(Instant.EPOCH, s, ErrorCategory.FORMAT, "invalid json",
                new Action.Retry("frontdoor", "format: invalid json", true));
        assertEquals(new EscalationEvent(Instant.EPOCH, "req-9", "frontdoor", "frontdoor", "retry",
                ErrorCategory.FORMAT, "invalid json", 1, 300, 1200), e);
        EscalationEvent g = EscalationEvent.of(Instant.EPOCH, s.withElapsed(Duration.ofSeconds(2)),
                ErrorCategory.FORMAT, "invalid json",
                new Action.GiveUp("deadline reached", ErrorCategory.FORMAT, Action.GiveUp.Cause.DEADLINE));
        assertNull(g.toRole());
        assertEquals("deadline reached", g.reason());
        assertEquals(2000, g.elapsedMs());
    }

    @Test
    void appendsValidJsonLinesAndRotates() throws Exception {
        Path file = dir.resolve("data/escalations.jsonl");
        int lineBytes = (event(10).toJson() + "\n").getBytes(StandardCharsets.UTF_8).length;
        long max = lineBytes * 5L + 10;
        try (EscalationLog log = new EscalationLog(file, max, 2, 200)) {
            for (int i = 10; i < 40; i++) {
                log.append(event(i));
                assertTrue(Files.size(file) <= max);
            }
        }
        assertTrue(Files.exists(file));
        assertTrue(Files.exists(dir.resolve("data/escalations.jsonl.1")));
        assertTrue(Files.exists(dir.resolve("data/escalations.jsonl.2")));
        assertFalse(Files.exists(dir.resolve("data/escalations.jsonl.3")), "keeps 2");

        List<EscalationEvent> kept = new ArrayList<>();
        for (String name : List.of("escalations.jsonl.2", "escalations.jsonl.1", "escalations.jsonl")) {
            Path p = dir.resolve("data").resolve(name);
            assertTrue(Files.size(p) <= max);
            for (String line : Files.readAllLines(p)) {
                JSON.readTree(line); // every line is valid JSON
                kept.add(EscalationEvent.fromJson(line));
            }
        }
        assertEquals(15, kept.size(), "three files of five lines");
        for (int i = 0; i < kept.size(); i++) {
            assertEquals(event(25 + i), kept.get(i), "oldest rotated file first, newest lines last");
        }
    }

    @Test
    void reopensAndAppendsToAnExistingFile() throws Exception {
        Path file = dir.resolve("escalations.jsonl");
        try (EscalationLog log = new EscalationLog(file)) {
            log.append(event(1));
        }
        try (EscalationLog log = new EscalationLog(file)) {
            log.append(event(2));
        }
        assertEquals(List.of(event(1), event(2)), EscalationLog.read(file));
    }

    @Test
    void recentKeepsTheLastEventsInOrder() {
        EscalationLog log = EscalationLog.inMemory(200);
        for (int i = 0; i < 250; i++) {
            log.append(event(i));
        }
        assertEquals(List.of(event(247), event(248), event(249)), log.recent(3));
        List<EscalationEvent> all = log.recent(1000);
        assertEquals(200, all.size());
        assertEquals(event(50), all.get(0));
        assertEquals(List.of(), log.recent(0));
    }

    @Test
    void neverThrowsIntoTheRequestPath() throws Exception {
        Path notADir = dir.resolve("plain-file");
        Files.writeString(notADir, "x");
        EscalationLog log = new EscalationLog(notADir.resolve("escalations.jsonl"), 1000, 2, 10);
        assertDoesNotThrow(() -> {
            log.append(event(1));
            log.append(event(2));
            log.append(null);
        });
        assertEquals(2, log.failedLines());
        assertEquals(List.of(event(1), event(2)), log.recent(10), "still kept in memory");
        log.close();
        assertDoesNotThrow(() -> log.append(event(3)));
    }

    @Test
    void concurrentAppendsProduceWholeLines() throws Exception {
        Path file = dir.resolve("escalations.jsonl");
        int threads = 8;
        int each = 250;
        try (EscalationLog log = new EscalationLog(file, 64 * 1024, 50, 200)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        log.append(event(base + i));
                    }
                });
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            assertEquals(200, log.recent(500).size());
        }
        int lines = 0;
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                for (String line : Files.readAllLines(p)) {
                    JSON.readTree(line);
                    lines++;
                }
            }
        }
        assertEquals(threads * each, lines);
    }
}
