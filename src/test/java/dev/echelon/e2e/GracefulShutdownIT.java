package dev.echelon.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM with streams in flight: a stream that finishes within the drain deadline completes normally; one that
 * would not is ended cleanly — a final error event and {@code data: [DONE]}, not a reset connection.
 */
class GracefulShutdownIT {

    @TempDir
    Path dir;

    private static CompletableFuture<List<String>> stream(int port, String model, int maxTokens, String prompt,
            boolean ignoreEos) {
        return stream(port, model, maxTokens, prompt, ignoreEos, new CompletableFuture<>());
    }

    /** The stream's non-empty lines once it ends; {@code firstToken} completes when its first content arrives. */
    private static CompletableFuture<List<String>> stream(int port, String model, int maxTokens, String prompt,
            boolean ignoreEos, CompletableFuture<Void> firstToken) {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":" + maxTokens
                + ",\"ignore_eos\":" + ignoreEos + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                + "\"}]}";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                // no server-side tools: their schemas would lengthen the prompt, and the architect prefills on the CPU,
                // so its stream would not have begun when shutdown starts
                .header("X-Echelon-Tools", "off").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .sendAsync(req, HttpResponse.BodyHandlers.ofLines())
                .thenApplyAsync(r -> r.body().filter(l -> !l.isEmpty()).peek(l -> {
                    if (l.contains("\"content\":\"")) {
                        firstToken.complete(null);
                    }
                }).toList());
    }

    @Test
    void drainsShortStreamsAndEndsLongOnesCleanly() throws Exception {
        Files.copy(Path.of("model_registry.yaml"), dir.resolve("model_registry.yaml"));
        EchelonProcess app = EchelonProcess.start(dir, Map.of("ORCHESTRATOR_MOCK_MODE", "1",
                "ORCHESTRATOR_API_SHUTDOWN_DRAIN_MS", "2000"));
        try {
            long end = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < end) {
                String instances = app.get("/q/health/ready") == 200 ? app.body("/admin/instances") : "";
                if (instances.contains("architect-0") && !instances.contains("\"state\":\"starting\"")
                        && !instances.contains("\"state\":\"loading\"")) {
                    break;
                }
                Thread.sleep(50);
            }
            // the architect starts on the CPU (S3); its request waits for the residency controller's verdict, which
            // may load it first. Either way 400 tokens outlast the 2 s drain (~90 s on the CPU, ~6 s on the GPU);
            // the worker (~125 tokens/s on the GPU) gives a short answer
            CompletableFuture<Void> longStarted = new CompletableFuture<>();
            CompletableFuture<List<String>> longOne = stream(app.port, "architect", 400,
                    "Tell me a long story about the sea.", true, longStarted);
            longStarted.get(30, TimeUnit.SECONDS); // in flight, not waiting: shutdown must drain it, not refuse it
            Thread.sleep(500);
            CompletableFuture<List<String>> shortOne = stream(app.port, "worker", 60, "Hello! How are you today?",
                    false);
            Thread.sleep(150);
            long t0 = System.nanoTime();
            app.process.destroy(); // SIGTERM

            List<String> shortLines = shortOne.get(20, TimeUnit.SECONDS);
            assertEquals("data: [DONE]", shortLines.get(shortLines.size() - 1), "the short stream finished");
            assertTrue(shortLines.stream().anyMatch(l -> l.contains("\"finish_reason\":\"")), shortLines.toString());
            assertTrue(shortLines.stream().noneMatch(l -> l.startsWith("data: {\"error\"")), shortLines.toString());

            List<String> longLines = longOne.get(20, TimeUnit.SECONDS);
            long endedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("data: [DONE]", longLines.get(longLines.size() - 1), "the long stream ended cleanly");
            String error = longLines.get(longLines.size() - 2);
            assertTrue(error.startsWith("data: {\"error\"") && error.contains("shutting down"), error);
            assertTrue(endedMs >= 1_500 && endedMs < 10_000, "ended after the drain deadline: " + endedMs + " ms");
            assertTrue(app.process.waitFor(20, TimeUnit.SECONDS), "the process exits");
            System.out.printf("graceful shutdown: short stream complete, long stream ended after %d ms%n", endedMs);
        } finally {
            app.close();
        }
    }
}
