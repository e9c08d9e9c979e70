package dev.echelon.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run command in mock mode, black box: the packaged jar with the shipped registry and the default
 * (real-time) simulation. Also: an invalid registry refuses startup with the key path, and a setting out of its range
 * with its key, both with no stack trace.
 */
class MockModeStartupIT {

    @TempDir
    Path dir;

    @Test
    void servesWithinFiveSecondsAndEveryFakeInstanceBecomesReady() throws Exception {
        Files.copy(Path.of("model_registry.yaml"), dir.resolve("model_registry.yaml"));
        long t0 = System.nanoTime();
        try (EchelonProcess app = EchelonProcess.start(dir, Map.of("ORCHESTRATOR_MOCK_MODE", "1"))) {
            long servingMs = -1;
            long readyMs = -1;
            long allReadyMs = -1;
            while ((System.nanoTime() - t0) / 1_000_000 < 30_000 && allReadyMs < 0) {
                long now = (System.nanoTime() - t0) / 1_000_000;
                if (servingMs < 0 && app.get("/q/health/live") == 200) {
                    servingMs = now;
                }
                if (readyMs < 0 && app.get("/q/health/ready") == 200) {
                    readyMs = now;
                }
                if (readyMs >= 0) {
                    String instances = app.body("/admin/instances");
                    if (!instances.contains("\"state\":\"starting\"") && !instances.contains("\"state\":\"loading\"")
                            && !instances.contains("\"state\":\"failed\"")) {
                        allReadyMs = now;
                    }
                }
                Thread.sleep(25);
            }
            System.out.printf("mock mode: serving after %d ms, ready after %d ms, all instances ready after %d ms%n",
                    servingMs, readyMs, allReadyMs);
            assertTrue(servingMs >= 0 && servingMs < 5_000, "serves within 5 s (" + servingMs + " ms)\n" + app.output());
            assertTrue(readyMs >= 0 && readyMs < 5_000, "/q/health/ready UP within 5 s (" + readyMs + " ms)");
            assertTrue(allReadyMs >= 0, "every fake instance reached ready:\n" + app.body("/admin/instances"));
            String live = app.body("/q/health/live");
            if (!Boolean.getBoolean("echelon.faiss.optional")) {
                // the packaged service searches memory with FAISS (its native library inside the jar), not the fallback
                assertTrue(live.matches("(?s).*\"vector_backend\"\\s*:\\s*\"faiss\".*"), live);
            }
            String config = app.body("/admin/config");
            assertTrue(config.matches("(?s).*\"hash\":\"sha256:[0-9a-f]{16}\".*"), config);
            assertTrue(app.output().contains("effective configuration sha256:"), "logged once at startup");
        }
    }

    @Test
    void invalidRegistryRefusesStartupNamingFileKeyPathAndReason() throws Exception {
        String bad = Files.readString(Path.of("model_registry.yaml"))
                .replace("bytes: 34820885024", "bytes: -5")
                .replace("    fallbacks: [architect]", "    fallbacks: [archtect]");
        Path file = dir.resolve("broken_registry.yaml");
        Files.writeString(file, bad);
        try (EchelonProcess app = EchelonProcess.start(dir, Map.of("ORCHESTRATOR_MOCK_MODE", "1",
                "ORCHESTRATOR_REGISTRY_PATH", file.toString()))) {
            assertTrue(app.process.waitFor(30, TimeUnit.SECONDS), "startup is refused, the process exits");
            String out = app.output();
            assertEquals(78, app.process.exitValue(), out);
            assertTrue(out.contains(file + ": roles.coder.model.variants[1].bytes: must be > 0 (was -5)"), out);
            assertTrue(out.contains(file + ": roles.coder.fallbacks[0]: unknown role 'archtect'"), out);
            assertFalse(out.contains("\tat dev.echelon"), "no stack trace:\n" + out);
        }
    }

    @Test
    void aSettingOutOfItsRangeRefusesStartupNamingItsKey() throws Exception {
        Files.copy(Path.of("model_registry.yaml"), dir.resolve("model_registry.yaml"));
        try (EchelonProcess app = EchelonProcess.start(dir, Map.of("ORCHESTRATOR_MOCK_MODE", "1",
                "ORCHESTRATOR_RESIDENCY_OVERFLOW_MAX_SHARE", "1.5"))) {
            assertTrue(app.process.waitFor(30, TimeUnit.SECONDS), "startup is refused, the process exits");
            String out = app.output();
            assertEquals(78, app.process.exitValue(), out);
            assertTrue(out.contains("invalid setting orchestrator.residency.overflow.max-share "
                    + "(ORCHESTRATOR_RESIDENCY_OVERFLOW_MAX_SHARE): must be between 0 and 1 (was 1.5)"), out);
            assertFalse(out.contains("\tat dev.echelon"), "no stack trace:\n" + out);
        }
    }
}
