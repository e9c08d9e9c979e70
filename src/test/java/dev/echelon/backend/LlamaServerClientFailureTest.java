package dev.echelon.backend;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timeouts and unreachable backends. */
class LlamaServerClientFailureTest {

    static final OkHttpClient SHARED = new OkHttpClient();

    @Test
    void backendNeverAnswersTimesOutWaitingForFirstByte() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
            LlamaServerClient c = new LlamaServerClient(server.url("/"), "coder-0", SHARED,
                    BackendTimeouts.of(1000, 300, 0));
            long t0 = System.nanoTime();
            BackendTimeoutException e = assertThrows(BackendTimeoutException.class,
                    () -> c.completion(CompletionRequest.ofPrompt("x")));
            long took = System.nanoTime() - t0;
            assertTrue(took < 2_000_000_000L, "took " + took / 1e6 + " ms");
            assertEquals(BackendTimeoutException.Phase.FIRST_BYTE, e.phase());
            assertEquals(300, e.timeout().toMillis());
            String base = server.url("/").toString().replaceAll("/$", "");
            assertEquals("instance coder-0 (" + base + ") POST /completion: timed out after 300 ms waiting for the "
                    + "first byte", e.getMessage());
        }
    }

    @Test
    void backendNeverAnswersAStream() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
            LlamaServerClient c = new LlamaServerClient(server.url("/"), "coder-0", SHARED,
                    BackendTimeouts.of(1000, 300, 0));
            Recorder<ChatResponse> rec = new Recorder<>();
            StreamHandle h = c.chatStream(ChatRequest.of(java.util.List.of(ChatMessage.user("Hi"))), rec);
            rec.awaitTerminal(2000);
            BackendTimeoutException e = assertInstanceOf(BackendTimeoutException.class, rec.error);
            assertEquals(BackendTimeoutException.Phase.FIRST_BYTE, e.phase());
            assertEquals(1, rec.terminalCalls());
            assertTrue(h.isDone());
        }
    }

    @Test
    void slowBodyHitsTotalTimeout() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(Recorded.response("completion").throttleBody(100, 100, TimeUnit.MILLISECONDS));
            LlamaServerClient c = new LlamaServerClient(server.url("/"), "coder-0", SHARED,
                    BackendTimeouts.of(1000, 1000, 400));
            long t0 = System.nanoTime();
            BackendTimeoutException e = assertThrows(BackendTimeoutException.class,
                    () -> c.completion(CompletionRequest.ofPrompt("x")));
            long took = System.nanoTime() - t0;
            assertTrue(took < 1_500_000_000L, "took " + took / 1e6 + " ms");
            assertEquals(BackendTimeoutException.Phase.TOTAL, e.phase());
            assertTrue(e.getMessage().endsWith("call exceeded the total timeout of 400 ms"), e.getMessage());
        }
    }

    @Test
    void connectionRefusedIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HttpUrl url = HttpUrl.get("http://127.0.0.1:" + port + "/");
        LlamaServerClient c = new LlamaServerClient(url, "coder-3", SHARED, BackendTimeouts.of(500, 500, 0));
        long t0 = System.nanoTime();
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, c::props);
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
        assertEquals("coder-3", e.instanceId());
        assertEquals("GET /props", e.endpoint());
        assertTrue(e.getMessage().startsWith("instance coder-3 (http://127.0.0.1:" + port + ") GET /props: "
                + "cannot connect"), e.getMessage());
        assertFalse(c.isReady());

        Recorder<CompletionResponse> rec = new Recorder<>();
        c.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        assertInstanceOf(BackendUnavailableException.class, rec.error);
        assertTrue(rec.error.getMessage().contains("instance coder-3"), rec.error.getMessage());
        assertEquals(0, rec.events.size());
    }

    @Test
    void connectionDroppedWithoutResponseIsUnavailable() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AT_START));
            LlamaServerClient c = new LlamaServerClient(server.url("/"), "coder-0",
                    SHARED.newBuilder().retryOnConnectionFailure(false).build(), BackendTimeouts.of(500, 500, 0));
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, c::health);
            assertEquals("GET /health", e.endpoint());
        }
    }

    @Test
    void timeoutsValidation() {
        BackendTimeouts t = BackendTimeouts.of(1, 2, 3);
        assertEquals(1, t.connect().toMillis());
        assertEquals(2, t.read().toMillis());
        assertEquals(3, t.total().toMillis());
        assertThrows(IllegalArgumentException.class, () -> BackendTimeouts.of(-1, 1, 1));
    }
}
