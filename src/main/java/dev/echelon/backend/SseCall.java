package dev.echelon.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One streamed call: runs on a stream-executor thread, reads the SSE body line by line as bytes arrive, and drives the
 * listener. Exactly one terminal callback is guaranteed by {@link #terminated}.
 */
final class SseCall<T> implements StreamHandle, Runnable {

    private static final Logger LOG = Logger.getLogger(SseCall.class);

    enum Mode {
        /** /completion: terminal event is the one with {@code stop:true}; no [DONE]. */
        COMPLETION,
        /** /v1/chat/completions: terminal is {@code data: [DONE]}; EOF after a finish_reason is accepted too. */
        CHAT
    }

    private final LlamaServerClient client;
    private final Call call;
    private final CallPhase phase;
    private final String endpoint;
    private final Mode mode;
    private final Class<T> type;
    private final StreamListener<T> listener;

    private final AtomicBoolean terminated = new AtomicBoolean();
    private final AtomicInteger events = new AtomicInteger();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean cancelled;
    private boolean sawFinishReason;

    SseCall(LlamaServerClient client, Call call, CallPhase phase, String endpoint, Mode mode, Class<T> type,
            StreamListener<T> listener) {
        this.client = client;
        this.call = call;
        this.phase = phase;
        this.endpoint = endpoint;
        this.mode = mode;
        this.type = type;
        this.listener = listener;
        done.whenComplete((v, e) -> {
            if (e instanceof CancellationException) {
                cancel();
            }
        });
    }

    @Override
    public void run() {
        try {
            runStream();
        } finally {
            if (!terminated.get()) { // safety net: exactly one terminal callback, whatever happened
                finishError(client.protocol(endpoint, "stream reader stopped unexpectedly after " + events.get()
                        + " events", null));
            }
        }
    }

    private void runStream() {
        if (cancelled) {
            finishError(cancelledError("cancelled before the request was sent", null));
            return;
        }
        Response response;
        try {
            response = call.execute();
        } catch (IOException e) {
            finishError(client.mapIo(e, call, phase, endpoint, cancelled, -1));
            return;
        } catch (RuntimeException e) {
            finishError(client.unavailable(endpoint, "request failed: " + e, e));
            return;
        }
        try (response) {
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                finishError(client.httpError(endpoint, response.code(), LlamaServerClient.readBounded(body)));
                return;
            }
            String contentType = response.header("Content-Type", "");
            if (contentType.toLowerCase().startsWith("application/json")) {
                String text = LlamaServerClient.readBounded(body);
                finishError(client.protocol(endpoint, "expected an event stream but got " + contentType + ": "
                        + BackendJson.snippet(text, 300), null));
                return;
            }
            readEvents(body.source());
        } catch (IOException e) {
            finishError(client.mapIo(e, call, phase, endpoint, cancelled, events.get()));
        } catch (RuntimeException e) {
            finishError(client.protocol(endpoint, "failed reading the stream after " + events.get() + " events: " + e,
                    e));
        }
    }

    private void readEvents(BufferedSource source) throws IOException {
        StringBuilder data = null;
        String line;
        while ((line = source.readUtf8Line()) != null) {
            if (terminated.get()) {
                return;
            }
            if (cancelled) {
                finishError(cancelledError("cancelled after " + events.get() + " events", null));
                return;
            }
            if (line.isEmpty()) {
                if (data != null) {
                    String payload = data.toString();
                    data = null;
                    if (dispatch(payload)) {
                        return;
                    }
                }
                continue;
            }
            if (line.charAt(0) == ':') {
                continue; // SSE comment / keep-alive
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("data")) {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            } else if (field.equals("error")) {
                // older llama-server: "error: {json}"
                finishError(errorEvent(value));
                return;
            }
            // other fields (event, id, retry) are ignored
        }
        // EOF
        if (cancelled) {
            finishError(cancelledError("cancelled after " + events.get() + " events", null));
            return;
        }
        if (data != null && dispatch(data.toString())) {
            return;
        }
        if (mode == Mode.CHAT && sawFinishReason) {
            finishComplete();
            return;
        }
        finishError(client.unavailable(endpoint,
                "stream ended before the final event after " + events.get() + " events", null));
    }

    /** Handles one complete event payload; true when the stream reached its terminal state. */
    private boolean dispatch(String payload) {
        String p = payload.strip();
        if (p.equals("[DONE]")) {
            finishComplete();
            return true;
        }
        JsonNode node;
        try {
            node = client.mapper().readTree(p);
        } catch (JsonProcessingException e) {
            finishError(client.protocol(endpoint, "malformed event after " + events.get() + " events: "
                    + BackendJson.snippet(p, 200), e));
            return true;
        }
        if (node == null || !node.isObject()) {
            finishError(client.protocol(endpoint, "unexpected event after " + events.get() + " events: "
                    + BackendJson.snippet(p, 200), null));
            return true;
        }
        if (node.has("error")) {
            finishError(errorEvent(p));
            return true;
        }
        T chunk;
        try {
            chunk = client.mapper().treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            finishError(client.protocol(endpoint, "unexpected event shape after " + events.get() + " events: "
                    + BackendJson.snippet(p, 200), e));
            return true;
        }
        if (cancelled) {
            finishError(cancelledError("cancelled after " + events.get() + " events", null));
            return true;
        }
        if (terminated.get()) {
            return true;
        }
        events.incrementAndGet();
        try {
            listener.onEvent(chunk);
        } catch (RuntimeException | Error e) {
            cancelled = true;
            call.cancel();
            finishError(cancelledError("stream aborted: listener failed in onEvent: " + e, e));
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            return true;
        }
        if (mode == Mode.COMPLETION && chunk instanceof CompletionResponse c && c.isStopped()) {
            finishComplete();
            return true;
        }
        if (mode == Mode.CHAT && chunk instanceof ChatResponse c && c.finishReason() != null) {
            sawFinishReason = true;
        }
        if (mode == Mode.CHAT && chunk instanceof JsonNode n) {
            for (JsonNode choice : n.path("choices")) {
                JsonNode f = choice.get("finish_reason");
                if (f != null && !f.isNull()) {
                    sawFinishReason = true;
                }
            }
        }
        return false;
    }

    private BackendException errorEvent(String payload) {
        JsonNode node = null;
        try {
            node = client.mapper().readTree(payload);
        } catch (JsonProcessingException ignored) {
            // keep raw text
        }
        JsonNode err = node == null ? null : node.get("error");
        int code = 500;
        String errType = null;
        String msg;
        if (err != null && err.isObject()) {
            if (err.path("code").isInt()) {
                code = err.get("code").intValue();
            }
            errType = BackendJson.text(err, "type");
            msg = BackendJson.text(err, "message");
        } else if (err != null && err.isTextual()) {
            msg = err.textValue();
        } else if (node != null && node.isObject() && node.has("message")) {
            msg = BackendJson.text(node, "message");
            errType = BackendJson.text(node, "type");
            if (node.path("code").isInt()) {
                code = node.get("code").intValue();
            }
        } else {
            msg = BackendJson.snippet(payload, 300);
        }
        String detail = "error event in the stream after " + events.get() + " events: "
                + (errType != null ? errType + ": " : "") + msg;
        return new BackendHttpException(client.instanceId(), client.displayUrl(), endpoint, code, errType, msg,
                payload, detail);
    }

    private BackendCancelledException cancelledError(String detail, Throwable cause) {
        return new BackendCancelledException(client.instanceId(), client.displayUrl(), endpoint, detail, cause);
    }

    void finishComplete() {
        if (!terminated.compareAndSet(false, true)) {
            return;
        }
        try {
            listener.onComplete();
        } catch (RuntimeException e) {
            LOG.warnf(e, "instance %s %s: stream listener onComplete threw", client.instanceId(), endpoint);
        }
        done.complete(null);
    }

    void finishError(BackendException error) {
        if (!terminated.compareAndSet(false, true)) {
            return;
        }
        call.cancel(); // make sure the backend stops generating for us
        try {
            listener.onError(error);
        } catch (RuntimeException e) {
            LOG.warnf(e, "instance %s %s: stream listener onError threw", client.instanceId(), endpoint);
        }
        done.completeExceptionally(error);
    }

    @Override
    public void cancel() {
        if (terminated.get()) {
            return;
        }
        cancelled = true;
        call.cancel();
    }

    @Override
    public boolean isDone() {
        return terminated.get();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public int eventCount() {
        return events.get();
    }

    @Override
    public CompletableFuture<Void> done() {
        return done;
    }
}
