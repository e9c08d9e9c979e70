package dev.echelon.backend;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Incremental SSE parsing, terminal events, cancellation and mid-stream failures. */
class LlamaServerClientStreamingTest {

    static final OkHttpClient SHARED = new OkHttpClient();

    MockWebServer server;
    LlamaServerClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        client = new LlamaServerClient(server.url("/"), "coder-0", SHARED, BackendTimeouts.of(1000, 2000, 0));
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    @Test
    void completionStreamArrivesIncrementallyAndEndsAtStopEvent() throws Exception {
        // 3239 bytes at 256 bytes / 60 ms: ~0.75 s in all, the first event (~460 bytes) after ~0.12 s
        server.enqueue(Recorded.response("completion_stream").throttleBody(256, 60, TimeUnit.MILLISECONDS));
        Recorder<CompletionResponse> rec = new Recorder<>();
        long t0 = System.nanoTime();
        StreamHandle h = client.withRequestId("rid-7").completionStream(
                CompletionRequest.builder().prompt("Once upon a time,").nPredict(4).nProbs(2).build(), rec);
        rec.awaitTerminal(3000);

        assertEquals(1, rec.completes.get());
        assertEquals(0, rec.errors.get());
        assertTrue(h.isDone());
        assertEquals(5, h.eventCount());
        h.done().get(100, TimeUnit.MILLISECONDS);
        List<CompletionResponse> ev = rec.snapshot();
        assertEquals(5, ev.size());
        assertEquals(List.of(" saw", "I", " lost", " the", ""), ev.stream().map(CompletionResponse::content).toList());
        assertEquals(-0.667278528213501, ev.get(0).completionProbabilities().get(0).logprob(), 1e-15);
        assertFalse(ev.get(3).isStopped());
        CompletionResponse last = ev.get(4);
        assertTrue(last.isStopped());
        assertEquals("limit", last.stopType());
        assertEquals(4, last.tokensPredicted());
        assertEquals(5, last.timings().cacheN());
        assertEquals(4, last.timings().predictedN());
        assertEquals(406.1738424045492, last.timings().predictedPerSecond(), 1e-9);

        long first = rec.eventNanos.get(0) - t0;
        long lastAt = rec.eventNanos.get(4) - t0;
        assertTrue(lastAt - first >= 300_000_000L,
                "events should be spread out: first " + ms(first) + " ms, last " + ms(lastAt) + " ms");
        assertTrue(first < lastAt / 2, "first event must arrive long before the last: first " + ms(first)
                + " ms, last " + ms(lastAt) + " ms");

        RecordedRequest rr = server.takeRequest(1, TimeUnit.SECONDS);
        assertEquals("/completion", rr.getPath());
        assertEquals("rid-7", rr.getHeader("X-Request-Id"));
        assertEquals("text/event-stream", rr.getHeader("Accept"));
        JsonNode sent = BackendJson.mapper().readTree(rr.getBody().readUtf8());
        assertTrue(sent.get("stream").asBoolean());
        assertEquals(2, sent.get("n_probs").asInt());
    }

    @Test
    void speculativeStreamCarriesDraftTimings() throws Exception {
        server.enqueue(Recorded.response("completion_speculative_stream"));
        Recorder<CompletionResponse> rec = new Recorder<>();
        client.completionStream(CompletionRequest.ofPrompt("Once upon a time,"), rec);
        rec.awaitTerminal(2000);
        assertEquals(1, rec.completes.get());
        List<CompletionResponse> ev = rec.snapshot();
        assertEquals(17, ev.size());
        Timings t = ev.get(16).timings();
        assertEquals(15, t.draftN());
        assertEquals(11, t.draftNAccepted());
        assertEquals(11.0 / 15.0, t.draftAcceptance().getAsDouble(), 1e-12);
        assertEquals(List.of("none", "draft-simple"), ev.get(16).speculativeTypes());
    }

    @Test
    void chatStreamArrivesIncrementallyAndEndsAtDone() throws Exception {
        // 1999 bytes at 200 bytes / 50 ms: ~0.5 s
        server.enqueue(Recorded.response("chat_stream").throttleBody(200, 50, TimeUnit.MILLISECONDS));
        Recorder<ChatResponse> rec = new Recorder<>();
        long t0 = System.nanoTime();
        StreamHandle h = client.chatStream(ChatRequest.of(List.of(ChatMessage.user("Hi"))).withMaxTokens(4), rec);
        rec.awaitTerminal(3000);

        assertEquals(1, rec.completes.get());
        assertEquals(0, rec.errors.get());
        List<ChatResponse> ev = rec.snapshot();
        assertEquals(7, ev.size(), "[DONE] must not be delivered as a chunk");
        assertEquals(7, h.eventCount());
        assertEquals("assistant", ev.get(0).firstChoice().orElseThrow().delta().role());
        assertNull(ev.get(0).deltaText());
        assertEquals("Once upon a time", ev.subList(1, 5).stream().map(ChatResponse::deltaText)
                .reduce("", String::concat));
        assertEquals("length", ev.get(5).finishReason());
        ChatResponse usage = ev.get(6);
        assertTrue(usage.choices().isEmpty());
        assertEquals(33, usage.usage().promptTokens());
        assertEquals(4, usage.usage().completionTokens());
        assertEquals(37, usage.usage().totalTokens());
        assertEquals(32, usage.usage().cachedTokens().orElseThrow());
        assertEquals(32, usage.timings().cacheN());
        assertEquals("chatcmpl-jMsG8dD0WxLPaOsRUrC2ePnTFspX4du1", usage.id());

        long first = rec.eventNanos.get(0) - t0;
        long lastAt = rec.eventNanos.get(6) - t0;
        assertTrue(lastAt - first >= 200_000_000L,
                "events should be spread out: first " + ms(first) + " ms, last " + ms(lastAt) + " ms");
        assertTrue(first < lastAt / 2, "first " + ms(first) + " ms, last " + ms(lastAt) + " ms");

        JsonNode sent = BackendJson.mapper().readTree(server.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertTrue(sent.get("stream").asBoolean());
        assertTrue(sent.at("/stream_options/include_usage").asBoolean());
        assertEquals(4, sent.get("max_tokens").asInt());
    }

    @Test
    void chatStreamEofAfterFinishReasonCompletes() throws Exception {
        String sse = Recorded.require("chat_stream.sse");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody(sse.replace("data: [DONE]\n\n", "")));
        Recorder<ChatResponse> rec = new Recorder<>();
        client.chatStream(ChatRequest.of(List.of(ChatMessage.user("Hi"))), rec);
        rec.awaitTerminal(2000);
        assertEquals(1, rec.completes.get());
        assertEquals(7, rec.events.size());
    }

    @Test
    void commentsCrlfAndMultiLineDataAreHandled() throws Exception {
        String body = ": keep-alive\r\n\r\n"
                + "data: {\"content\":\"a\",\"stop\":false}\r\n\r\n"
                + "event: message\nid: 3\ndata: {\"content\":\n" + "data: \"b\",\"stop\":false}\n\n"
                + ": another comment\n"
                + "data:{\"content\":\"\",\"stop\":true,\"stop_type\":\"eos\",\"timings\":{\"predicted_n\":2}}\n\n";
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body));
        Recorder<CompletionResponse> rec = new Recorder<>();
        client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        assertEquals(1, rec.completes.get(), () -> String.valueOf(rec.error));
        assertEquals(List.of("a", "b", ""), rec.snapshot().stream().map(CompletionResponse::content).toList());
        assertEquals("eos", rec.snapshot().get(2).stopType());
        assertEquals(2, rec.snapshot().get(2).timings().predictedN());
    }

    @Test
    void cancelAfterFirstEventClosesTheConnection() throws Exception {
        try (ScriptedServer endless = new ScriptedServer(out -> {
            for (int i = 0; i < 500; i++) { // would take 10 s
                ScriptedServer.event(out, "{\"content\":\"t" + i + "\",\"stop\":false,\"tokens_predicted\":" + i
                        + "}");
                Thread.sleep(20);
            }
        })) {
            LlamaServerClient c = new LlamaServerClient(endless.url(), "coder-0", SHARED,
                    BackendTimeouts.of(1000, 2000, 0));
            Recorder<CompletionResponse> rec = new Recorder<>();
            StreamHandle h = c.completionStream(CompletionRequest.ofPrompt("x"), rec);
            assertTrue(rec.firstEvent.await(2, TimeUnit.SECONDS));
            long cancelAt = System.nanoTime();
            h.cancel();
            rec.awaitTerminal(1000);
            int countAtTerminal = rec.events.size();

            assertTrue(h.isCancelled());
            assertTrue(h.isDone());
            assertEquals(0, rec.completes.get());
            assertEquals(1, rec.errors.get());
            assertInstanceOf(BackendCancelledException.class, rec.error);
            assertTrue(rec.error.getMessage().contains("instance coder-0"), rec.error.getMessage());
            ExecutionOrCompletion.assertFailedWith(h, BackendCancelledException.class);

            // the server notices the closed connection: its next writes fail
            assertTrue(endless.writeFailed.await(2, TimeUnit.SECONDS), "server kept writing to an open connection");
            assertTrue(endless.writeFailedNanos - cancelAt < 1_000_000_000L,
                    "connection closed " + ms(endless.writeFailedNanos - cancelAt) + " ms after cancel");

            Thread.sleep(150);
            assertEquals(countAtTerminal, rec.events.size(), "no events after cancel");
            assertEquals(0, rec.eventsAfterTerminal.get());
            assertEquals(1, rec.terminalCalls());
            h.cancel(); // idempotent
            Thread.sleep(50);
            assertEquals(1, rec.terminalCalls());
        }
    }

    @Test
    void cancelOnMockWebServerStreamGivesExactlyOneTerminal() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.append("data: {\"content\":\"t").append(i).append("\",\"stop\":false}\n\n");
        }
        // ~36 bytes per event, ~1 event per 40 ms: ~16 s in all
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sb.toString())
                .throttleBody(36, 40, TimeUnit.MILLISECONDS));
        Recorder<CompletionResponse> rec = new Recorder<>();
        StreamHandle h = client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        assertTrue(rec.firstEvent.await(2, TimeUnit.SECONDS));
        h.done().cancel(true); // cancelling the future cancels the stream
        rec.awaitTerminal(1000);
        int n = rec.events.size();
        assertTrue(n >= 1 && n <= 3, "events: " + n);
        Thread.sleep(200);
        assertEquals(n, rec.events.size());
        assertEquals(1, rec.terminalCalls());
        assertInstanceOf(BackendCancelledException.class, rec.error);
        assertTrue(h.isCancelled());
    }

    @Test
    void streamTruncatedBeforeStopEventIsAnError() throws Exception {
        String sse = Recorded.require("completion_stream.sse");
        String[] events = sse.split("\n\n");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody(events[0] + "\n\n" + events[1] + "\n\n"));
        Recorder<CompletionResponse> rec = new Recorder<>();
        StreamHandle h = client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        assertEquals(2, rec.events.size());
        assertEquals(0, rec.completes.get());
        assertInstanceOf(BackendUnavailableException.class, rec.error);
        assertTrue(rec.error.getMessage().contains("instance coder-0"), rec.error.getMessage());
        assertTrue(rec.error.getMessage().endsWith("POST /completion: stream ended before the final event after 2 "
                + "events"), rec.error.getMessage());
        ExecutionOrCompletion.assertFailedWith(h, BackendUnavailableException.class);
    }

    @Test
    void backendDisconnectDuringBodyIsAnError() throws Exception {
        server.enqueue(Recorded.response("completion_stream")
                .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));
        Recorder<CompletionResponse> rec = new Recorder<>();
        client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        assertEquals(1, rec.terminalCalls());
        assertEquals(0, rec.completes.get());
        assertTrue(rec.events.size() < 5, "events: " + rec.events.size());
        assertInstanceOf(BackendUnavailableException.class, rec.error);
        assertTrue(rec.error.getMessage().contains("stream ended before the final event after "
                + rec.events.size() + " events"), rec.error.getMessage());
    }

    @Test
    void chatStreamTruncatedWithoutFinishIsAnError() throws Exception {
        String sse = Recorded.require("chat_stream.sse");
        String[] events = sse.split("\n\n");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody(events[0] + "\n\n" + events[1] + "\n\n" + events[2] + "\n\n"));
        Recorder<ChatResponse> rec = new Recorder<>();
        client.chatStream(ChatRequest.of(List.of(ChatMessage.user("Hi"))), rec);
        rec.awaitTerminal(2000);
        assertEquals(3, rec.events.size());
        assertInstanceOf(BackendUnavailableException.class, rec.error);
        assertTrue(rec.error.getMessage().contains("POST /v1/chat/completions: stream ended before the final event"
                + " after 3 events"), rec.error.getMessage());
    }

    @Test
    void errorEventIsAnError() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"content\":\"a\",\"stop\":false}\n\n"
                        + "data: {\"error\":{\"code\":500,\"message\":\"decode failed\",\"type\":\"server_error\"}}\n\n"));
        Recorder<CompletionResponse> rec = new Recorder<>();
        client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        assertEquals(1, rec.events.size());
        BackendHttpException e = assertInstanceOf(BackendHttpException.class, rec.error);
        assertEquals(500, e.statusCode());
        assertEquals("server_error", e.errorType());
        assertEquals("decode failed", e.serverMessage());
        assertTrue(e.getMessage().contains("error event in the stream after 1 events"), e.getMessage());
    }

    @Test
    void legacyErrorFieldIsAnError() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody("error: {\"code\":400,\"message\":\"context too long\",\"type\":\"invalid_request_error\"}\n\n"));
        Recorder<CompletionResponse> rec = new Recorder<>();
        client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        BackendHttpException e = assertInstanceOf(BackendHttpException.class, rec.error);
        assertEquals(400, e.statusCode());
        assertEquals("context too long", e.serverMessage());
    }

    @Test
    void malformedEventIsProtocolError() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"content\":\"a\",\"stop\":false}\n\ndata: {not json\n\n"));
        Recorder<CompletionResponse> rec = new Recorder<>();
        client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        assertEquals(1, rec.events.size());
        assertInstanceOf(BackendProtocolException.class, rec.error);
        assertTrue(rec.error.getMessage().contains("malformed event after 1 events"), rec.error.getMessage());
    }

    @Test
    void httpErrorsOnStreamsAreReportedViaOnError() throws Exception {
        server.enqueue(Recorded.loading());
        server.enqueue(Recorded.response("no_prompt"));
        Recorder<CompletionResponse> loading = new Recorder<>();
        client.completionStream(CompletionRequest.ofPrompt("x"), loading);
        loading.awaitTerminal(2000);
        assertInstanceOf(BackendLoadingException.class, loading.error);

        Recorder<ChatResponse> bad = new Recorder<>();
        client.chatStream(ChatRequest.of(List.of(ChatMessage.user("Hi"))), bad);
        bad.awaitTerminal(2000);
        BackendHttpException e = assertInstanceOf(BackendHttpException.class, bad.error);
        assertEquals(400, e.statusCode());
        assertEquals("invalid_request_error", e.errorType());
        assertEquals(0, bad.events.size());
    }

    @Test
    void listenerFailureCancelsTheStream() throws Exception {
        server.enqueue(Recorded.response("completion_stream"));
        RuntimeException boom = new IllegalStateException("boom");
        Recorder<CompletionResponse> rec = new Recorder<>() {
            @Override
            public void onEvent(CompletionResponse event) {
                super.onEvent(event);
                throw boom;
            }
        };
        StreamHandle h = client.completionStream(CompletionRequest.ofPrompt("x"), rec);
        rec.awaitTerminal(2000);
        assertEquals(1, rec.events.size());
        assertInstanceOf(BackendCancelledException.class, rec.error);
        assertSame(boom, rec.error.getCause());
        assertTrue(h.isCancelled());
        assertEquals(1, rec.terminalCalls());
    }

    @Test
    void readTimeoutBetweenEvents() throws Exception {
        try (ScriptedServer stalling = new ScriptedServer(out -> {
            ScriptedServer.event(out, "{\"content\":\"a\",\"stop\":false}");
            Thread.sleep(5_000);
        })) {
            LlamaServerClient c = new LlamaServerClient(stalling.url(), "coder-0", SHARED,
                    BackendTimeouts.of(1000, 300, 0));
            Recorder<CompletionResponse> rec = new Recorder<>();
            long t0 = System.nanoTime();
            c.completionStream(CompletionRequest.ofPrompt("x"), rec);
            rec.awaitTerminal(2000);
            assertTrue(rec.terminalNanos - t0 < 1_500_000_000L);
            BackendTimeoutException e = assertInstanceOf(BackendTimeoutException.class, rec.error);
            assertEquals(BackendTimeoutException.Phase.READ, e.phase());
            assertTrue(e.getMessage().endsWith("POST /completion: timed out after 300 ms waiting for the next event "
                    + "after 1 events"), e.getMessage());
        }
    }

    @Test
    void totalTimeoutOnStream() throws Exception {
        try (ScriptedServer endless = new ScriptedServer(out -> {
            for (int i = 0; i < 200; i++) {
                ScriptedServer.event(out, "{\"content\":\"t\",\"stop\":false}");
                Thread.sleep(20);
            }
        })) {
            LlamaServerClient c = new LlamaServerClient(endless.url(), "coder-0", SHARED,
                    BackendTimeouts.of(1000, 2000, 400));
            Recorder<CompletionResponse> rec = new Recorder<>();
            long t0 = System.nanoTime();
            c.completionStream(CompletionRequest.ofPrompt("x"), rec);
            rec.awaitTerminal(2000);
            long took = rec.terminalNanos - t0;
            assertTrue(took >= 350_000_000L && took < 1_500_000_000L, "took " + ms(took) + " ms");
            BackendTimeoutException e = assertInstanceOf(BackendTimeoutException.class, rec.error);
            assertEquals(BackendTimeoutException.Phase.TOTAL, e.phase());
            assertTrue(rec.events.size() >= 3, "events: " + rec.events.size());
            assertTrue(e.getMessage().contains("total timeout of 400 ms"), e.getMessage());
        }
    }

    /** Helpers for StreamHandle.done(). */
    static final class ExecutionOrCompletion {
        /** done() completes right after the listener's terminal callback returned, so wait for it. */
        static void assertFailedWith(StreamHandle h, Class<? extends BackendException> type) {
            ExecutionException ee = assertThrows(ExecutionException.class, () -> h.done().get(1, TimeUnit.SECONDS));
            assertNotNull(ee.getCause());
            assertInstanceOf(type, ee.getCause());
            assertTrue(h.done().isCompletedExceptionally());
        }
    }
}
