package dev.echelon.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.TestBackends;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-role queues, 429 with Retry-After, keep-alives while a role loads, and client disconnects. */
@QuarkusTest
@TestProfile(KeyedProfile.class)
class BackpressureTest {

    @TestHTTPResource("/")
    URL url;
    @Inject
    Supervisor supervisor;

    private String base() {
        return TestBackends.base(url);
    }

    @BeforeEach
    void backendsReady() throws Exception {
        TestBackends.awaitAllReady(supervisor);
    }

    private static String body(String model, int maxTokens, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Write a long essay about the history of ships "
                + "and harbours, with many details.\"}],\"ignore_eos\":true}";
    }

    private CompletableFuture<HttpResponse<String>> post(String json) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KeyedProfile.KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return Http.CLIENT.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fullQueueGets429WithRetryAfterWhileAdmittedRequestsComplete() throws Exception {
        // architect: one slot (-np 1), on CPU; the profile allows 2 waiting requests per role
        List<CompletableFuture<HttpResponse<String>>> admitted = new ArrayList<>();
        admitted.add(post(body("architect", 60, false)));
        Thread.sleep(150);
        admitted.add(post(body("architect", 60, false)));
        admitted.add(post(body("architect", 60, false)));
        Thread.sleep(150);
        HttpResponse<String> refused = post(body("architect", 60, false)).get(10, TimeUnit.SECONDS);
        assertEquals(429, refused.statusCode(), refused.body());
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
        JsonNode err = Http.json(refused).path("error");
        assertEquals("rate_limit_error", err.path("type").asText());
        assertEquals("rate_limit_exceeded", err.path("code").asText());

        long maxQueueMs = 0;
        for (CompletableFuture<HttpResponse<String>> f : admitted) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            maxQueueMs = Math.max(maxQueueMs, Http.json(r).path("x_echelon").path("queue_ms").asLong());
        }
        assertTrue(maxQueueMs > 0, "the queued requests waited for the slot and say so in x_echelon.queue_ms");
    }

    @Test
    void streamWaitingForALoadingRoleGetsKeepAlivesThenTokens() throws Exception {
        ServerProcess coder = supervisor.serversOf("coder").get(0);
        coder.stop().get(10, TimeUnit.SECONDS);
        coder.start(); // loading ~19.9 GB "from NVMe" again: about 0.2 s at the test's time scale
        List<String> lines = new ArrayList<>();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + KeyedProfile.KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("coder", 8, true))).build();
        HttpResponse<java.util.stream.Stream<String>> r = Http.CLIENT.send(req, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode(), () -> "history: " + coder.history());
        r.body().forEach(lines::add);
        assertTrue(lines.get(0).startsWith(": waiting for the model to load"), () -> "history " + coder.history()
                + "\n" + lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.equals(": keep-alive")), "keep-alive comments: " + lines);
        int firstData = lines.indexOf(lines.stream().filter(l -> l.startsWith("data: {")).findFirst().orElseThrow());
        assertTrue(lines.subList(firstData, lines.size()).stream().noneMatch(l -> l.startsWith(":")),
                "no comment once tokens flow");
        assertEquals("data: [DONE]", lines.get(lines.size() - 2).isEmpty() ? lines.get(lines.size() - 3)
                : lines.get(lines.size() - 1).isEmpty() ? lines.get(lines.size() - 2) : lines.get(lines.size() - 1));
        String last = lines.stream().filter(l -> l.contains("x_echelon")).findFirst().orElseThrow();
        JsonNode meta = Http.JSON.readTree(last.substring(6)).path("x_echelon");
        assertTrue(meta.path("load_wait_ms").asLong() > 0, "load wait reported: " + meta);
    }

    @Test
    void clientDisconnectStopsTheBackendGeneration() throws Exception {
        ServerProcess architect = supervisor.serversOf("architect").get(0);
        URI uri = URI.create(base());
        String json = body("architect", 400, true);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + KeyedProfile.KEY + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            int data = 0;
            String line;
            while (data < 3 && (line = in.readLine()) != null) {
                if (line.startsWith("data: {")) {
                    data++;
                }
            }
            assertEquals(3, data);
            assertTrue(slotBusy(architect), "the backend is generating");
        } // closing the socket: the client went away mid-stream
        long until = System.currentTimeMillis() + 5_000;
        while (slotBusy(architect) && System.currentTimeMillis() < until) {
            Thread.sleep(20);
        }
        assertFalse(slotBusy(architect), "the backend stopped generating after the client left");
        // and the slot is free for the next request at once
        HttpResponse<String> next = post(body("architect", 4, false)).get(30, TimeUnit.SECONDS);
        assertEquals(200, next.statusCode(), next.body());
        assertTrue(Http.json(next).path("x_echelon").path("queue_ms").asLong() < 500, next.body());
    }

    private static boolean slotBusy(ServerProcess server) throws Exception {
        HttpResponse<String> slots = Http.send(server.baseUrl().toString(), "GET", "/slots", Map.of(), null);
        for (JsonNode slot : Http.JSON.readTree(slots.body())) {
            if (slot.path("is_processing").asBoolean()) {
                return true;
            }
        }
        return false;
    }
}
