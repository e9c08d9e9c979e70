package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A streamed answer reaches the client token by token as the backend decodes it — not gathered and sent at the end.
 * The architect role runs on CPU in the shipped registry (4.5 tokens/s simulated), so 200 tokens take about 44 s of
 * simulated time, about 2.2 s at the test time scale of 0.05: long enough to see when each event arrives.
 */
@QuarkusTest
class StreamingIsRealTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOKENS = 200;

    @TestHTTPResource("/")
    URL url;
    @Inject
    Supervisor supervisor;

    @Test
    void contentArrivesIncrementallyWhileTheModelDecodes() throws Exception {
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(30)))
                .toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);

        // ignore_eos is llama-server's own field: Echelon relays the body, so the fake generates past its natural end
        // and the answer is exactly max_tokens long.
        String body = """
                {"model":"architect","stream":true,"stream_options":{"include_usage":true},
                 "max_tokens":%d,"ignore_eos":true,
                 "messages":[{"role":"user","content":"Write a long essay about the history of rivers, cities and trade."}]}
                """.formatted(TOKENS);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + url.getPort()
                        + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();

        long t0 = System.nanoTime();
        HttpResponse<Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());
        long headersMs = elapsedMs(t0);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                response.headers().toString());
        assertEquals("architect", response.headers().firstValue("X-Echelon-Role").orElse(null));
        assertEquals("B", response.headers().firstValue("X-Echelon-Tier").orElse(null));
        assertTrue(response.headers().firstValue("X-Request-Id").isPresent());

        long firstContentMs = -1;
        int contentChunks = 0;
        List<Long> arrivals = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        String finishReason = null;
        boolean done = false;
        try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.startsWith("data: ")) {
                    continue; // blank separators and ": comment" keep-alives
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode event = JSON.readTree(data);
                assertFalse(event.has("error"), "no error event: " + data);
                last = event;
                JsonNode choice = event.path("choices").path(0);
                if (!choice.path("finish_reason").isMissingNode() && !choice.path("finish_reason").isNull()) {
                    finishReason = choice.path("finish_reason").asText();
                }
                String content = choice.path("delta").path("content").asText("");
                if (!content.isEmpty()) {
                    long now = elapsedMs(t0);
                    if (firstContentMs < 0) {
                        firstContentMs = now;
                    }
                    arrivals.add(now);
                    contentChunks++;
                    text.append(content);
                }
            }
        }
        long totalMs = elapsedMs(t0);

        // the spread of arrivals: the middle chunk arrives around the middle of the stream, not with the last one
        long medianMs = arrivals.isEmpty() ? -1 : arrivals.get(arrivals.size() / 2);
        System.out.printf("streaming (architect, %d tokens, time scale 0.05): headers %d ms, first content %d ms, "
                        + "median content %d ms, total %d ms, %d content chunks, %d chars%n", TOKENS, headersMs,
                firstContentMs, medianMs, totalMs, contentChunks, text.length());

        assertTrue(done, "the stream ends with data: [DONE]");
        assertNotNull(last);
        assertEquals("length", finishReason, "generation ran to max_tokens");
        assertEquals(TOKENS, last.path("usage").path("completion_tokens").asInt(),
                "the usage event reports exactly max_tokens generated tokens (ignore_eos honoured): " + last);
        assertEquals("architect", last.path("x_echelon").path("role").asText(), "x_echelon in the final event");
        assertTrue(contentChunks >= 150, "at least 150 content chunks, got " + contentChunks);
        assertTrue(totalMs > 1000, "200 tokens at the architect's simulated CPU speed take over a second, took "
                + totalMs + " ms");
        assertTrue(firstContentMs >= 0 && firstContentMs < 0.3 * totalMs, "first content at " + firstContentMs
                + " ms, before 30% of the " + totalMs + " ms total");
        assertTrue(medianMs < 0.8 * totalMs, "content keeps arriving during the stream (median chunk at " + medianMs
                + " ms of " + totalMs + " ms)");
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
