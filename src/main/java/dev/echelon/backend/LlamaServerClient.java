package dev.echelon.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The llama-server HTTP protocol for one backend instance. Thread-safe; cheap to copy with {@link #withRequestId} /
 * {@link #withTimeouts}. Every failure is a {@link BackendException} subclass whose message names the instance, its
 * URL and the endpoint.
 *
 * <p>Streams run on a stream executor thread (by default a shared cached pool of daemon threads), using a blocking
 * {@code execute()} so the OkHttp dispatcher's per-host limit does not queue streams. All callbacks of a stream are
 * delivered on that thread.
 */
public final class LlamaServerClient {

    /** Header carrying the request id to the backend. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";

    static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private static final ExecutorService DEFAULT_STREAM_EXECUTOR = Executors.newCachedThreadPool(new StreamThreadFactory());

    private final HttpUrl baseUrl;
    private final String displayUrl;
    private final String instanceId;
    private final OkHttpClient shared;
    private final OkHttpClient http;
    private final BackendTimeouts timeouts;
    private final Executor streamExecutor;
    private final String requestId;
    private final ObjectMapper mapper = BackendJson.mapper();

    /**
     * @param baseUrl      e.g. {@code http://127.0.0.1:18102/}
     * @param instanceId   used in error messages and logs
     * @param sharedClient shared across instances (connection pool, dispatcher); this client derives its own with
     *                     {@link OkHttpClient#newBuilder()}
     * @param timeouts     connect / read (idle) / total
     */
    public LlamaServerClient(HttpUrl baseUrl, String instanceId, OkHttpClient sharedClient, BackendTimeouts timeouts) {
        this(baseUrl, instanceId, sharedClient, timeouts, null);
    }

    /** As above, with the executor that runs streams (null: the shared default daemon pool). */
    public LlamaServerClient(HttpUrl baseUrl, String instanceId, OkHttpClient sharedClient, BackendTimeouts timeouts,
            Executor streamExecutor) {
        this(Objects.requireNonNull(baseUrl, "baseUrl"), Objects.requireNonNull(instanceId, "instanceId"),
                Objects.requireNonNull(sharedClient, "sharedClient"), Objects.requireNonNull(timeouts, "timeouts"),
                derive(sharedClient, timeouts), streamExecutor == null ? DEFAULT_STREAM_EXECUTOR : streamExecutor,
                null);
    }

    private LlamaServerClient(HttpUrl baseUrl, String instanceId, OkHttpClient shared, BackendTimeouts timeouts,
            OkHttpClient http, Executor streamExecutor, String requestId) {
        this.baseUrl = baseUrl;
        String s = baseUrl.toString();
        this.displayUrl = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        this.instanceId = instanceId;
        this.shared = shared;
        this.timeouts = timeouts;
        this.http = http;
        this.streamExecutor = streamExecutor;
        this.requestId = requestId;
    }

    private static OkHttpClient derive(OkHttpClient shared, BackendTimeouts t) {
        return shared.newBuilder()
                .connectTimeout(t.connect())
                .readTimeout(t.read())
                .writeTimeout(t.read())
                .callTimeout(t.total())
                .addNetworkInterceptor(CallPhase.INTERCEPTOR)
                .build();
    }

    /** A copy that sends {@code X-Request-Id: requestId} on every call (null/blank: none). Shares everything else. */
    public LlamaServerClient withRequestId(String requestId) {
        String id = requestId == null || requestId.isBlank() ? null : requestId;
        return new LlamaServerClient(baseUrl, instanceId, shared, timeouts, http, streamExecutor, id);
    }

    /** A copy with other timeouts (same connection pool). */
    public LlamaServerClient withTimeouts(BackendTimeouts newTimeouts) {
        return new LlamaServerClient(baseUrl, instanceId, shared, newTimeouts, derive(shared, newTimeouts),
                streamExecutor, requestId);
    }

    public HttpUrl baseUrl() {
        return baseUrl;
    }

    public String instanceId() {
        return instanceId;
    }

    public BackendTimeouts timeouts() {
        return timeouts;
    }

    /** The request id sent as {@code X-Request-Id}, or null. */
    public String requestId() {
        return requestId;
    }

    String displayUrl() {
        return displayUrl;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    // ------------------------------------------------------------------ endpoints

    /**
     * {@code GET /health}.
     *
     * @throws BackendLoadingException on 503 "Loading model"
     */
    public Health health() {
        return convert(getJson("/health"), Health.class, "GET /health");
    }

    /** True only when {@code /health} answers 200 ok; never throws. */
    public boolean isReady() {
        try {
            return health().ok();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code GET /props}. */
    public Props props() {
        JsonNode node = getJson("/props");
        try {
            return Props.fromJson(node);
        } catch (IllegalArgumentException e) {
            throw protocol("GET /props", "unexpected response shape: " + e.getMessage(), e);
        }
    }

    /** {@code GET /v1/models}. */
    public ModelList models() {
        return convert(getJson("/v1/models"), ModelList.class, "GET /v1/models");
    }

    /** {@code GET /slots}. */
    public List<SlotState> slots() {
        JsonNode node = getJson("/slots");
        if (!node.isArray()) {
            throw protocol("GET /slots", "expected a JSON array, got: " + BackendJson.snippet(node.toString(), 200),
                    null);
        }
        JavaType t = mapper.getTypeFactory().constructCollectionType(List.class, SlotState.class);
        return List.copyOf(convert(node, t, "GET /slots"));
    }

    /** {@code GET /metrics} (server started with {@code --metrics}). */
    public PrometheusMetrics metrics() {
        String endpoint = "GET /metrics";
        Raw raw = exchange("GET", "/metrics", null, "text/plain");
        raw.requireSuccess();
        try {
            return PrometheusMetrics.parse(raw.body);
        } catch (IllegalArgumentException e) {
            throw protocol(endpoint, "unparseable metrics: " + e.getMessage(), e);
        }
    }

    /** Non-streamed {@code POST /completion} ({@code stream} forced to false). */
    public CompletionResponse completion(CompletionRequest request) {
        return convert(postJson("/completion", toJson(request.withStream(false))), CompletionResponse.class,
                "POST /completion");
    }

    /**
     * Streamed {@code POST /completion} ({@code stream} forced to true). Ends at the event with {@code stop:true}
     * (delivered to onEvent, then onComplete).
     */
    public StreamHandle completionStream(CompletionRequest request, StreamListener<CompletionResponse> listener) {
        return startStream("/completion", toJson(request.withStream(true)), SseCall.Mode.COMPLETION,
                CompletionResponse.class, listener);
    }

    /** Non-streamed {@code POST /v1/chat/completions} ({@code stream} forced to false). */
    public ChatResponse chat(ChatRequest request) {
        return convert(postJson("/v1/chat/completions", toJson(request.withStream(false))), ChatResponse.class,
                "POST /v1/chat/completions");
    }

    /**
     * Streamed {@code POST /v1/chat/completions} ({@code stream} forced to true; {@code stream_options} defaults to
     * {@code {"include_usage":true}}). Ends at {@code data: [DONE]} (not delivered as a chunk), or at EOF after a
     * chunk with a finish_reason.
     */
    public StreamHandle chatStream(ChatRequest request, StreamListener<ChatResponse> listener) {
        ChatRequest r = request.withStream(true);
        if (r.streamOptions() == null) {
            r = r.toBuilder().streamOptions(mapper.createObjectNode().put("include_usage", true)).build();
        }
        return startStream("/v1/chat/completions", toJson(r), SseCall.Mode.CHAT, ChatResponse.class, listener);
    }

    /**
     * Relays an OpenAI-shaped request ({@code /v1/chat/completions}, {@code /v1/completions}) as raw JSON without
     * blocking a thread: the answer is kept exactly as the server wrote it (tool calls, logprobs, fields Echelon does
     * not model). Cancelling the returned future cancels the HTTP call, so a client that goes away stops the
     * backend's generation.
     */
    public CompletableFuture<ObjectNode> openAiJson(String path, ObjectNode body) {
        String endpoint = "POST " + path;
        CallPhase phase = new CallPhase();
        Call call = http.newCall(buildRequest("POST", path, body, "application/json", phase));
        CompletableFuture<ObjectNode> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                call.cancel();
                return super.cancel(mayInterruptIfRunning);
            }
        };
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                result.completeExceptionally(mapIo(e, c, phase, endpoint, result.isCancelled(), -1));
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    String text = response.body() == null ? "" : response.body().string();
                    JsonNode node = new Raw(endpoint, response.code(), text).json();
                    if (!node.isObject()) {
                        throw protocol(endpoint, "expected a JSON object, got: " + BackendJson.snippet(text, 200), null);
                    }
                    result.complete((ObjectNode) node);
                } catch (IOException e) {
                    result.completeExceptionally(mapIo(e, c, phase, endpoint, result.isCancelled(), -1));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    /**
     * Streams an OpenAI-shaped endpoint as raw JSON chunks, ending at {@code data: [DONE]} (not delivered). The
     * body is sent as given: the caller sets {@code stream} and {@code stream_options}.
     */
    public StreamHandle openAiStream(String path, ObjectNode body, StreamListener<ObjectNode> listener) {
        return startStream(path, body, SseCall.Mode.CHAT, ObjectNode.class, listener);
    }

    /** {@code POST /tokenize}. */
    public TokenizeResult tokenize(String content, boolean addSpecial, boolean withPieces) {
        ObjectNode body = mapper.createObjectNode()
                .put("content", content)
                .put("add_special", addSpecial)
                .put("with_pieces", withPieces);
        JsonNode node = postJson("/tokenize", body);
        try {
            return TokenizeResult.fromJson(node);
        } catch (IllegalArgumentException e) {
            throw protocol("POST /tokenize", "unexpected response shape: " + e.getMessage(), e);
        }
    }

    /** {@code POST /tokenize} without special tokens and pieces. */
    public TokenizeResult tokenize(String content) {
        return tokenize(content, false, false);
    }

    /** {@code POST /detokenize}. */
    public String detokenize(List<Integer> tokens) {
        ObjectNode body = mapper.createObjectNode();
        body.set("tokens", mapper.valueToTree(tokens));
        JsonNode node = postJson("/detokenize", body);
        JsonNode content = node.get("content");
        if (content == null || !content.isTextual()) {
            throw protocol("POST /detokenize", "expected {\"content\":\"...\"}, got: "
                    + BackendJson.snippet(node.toString(), 200), null);
        }
        return content.textValue();
    }

    /** {@code POST /apply-template}: the prompt the chat template renders for these messages. */
    public String applyTemplate(List<ChatMessage> messages) {
        ObjectNode body = mapper.createObjectNode();
        body.set("messages", mapper.valueToTree(messages));
        JsonNode node = postJson("/apply-template", body);
        JsonNode prompt = node.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw protocol("POST /apply-template", "expected {\"prompt\":\"...\"}, got: "
                    + BackendJson.snippet(node.toString(), 200), null);
        }
        return prompt.textValue();
    }

    // ------------------------------------------------------------------ plumbing

    /** Serialises a request record; {@code extra} entries are merged at top level and win over typed fields. */
    private ObjectNode toJson(Object request) {
        return mapper.valueToTree(request);
    }

    private JsonNode getJson(String path) {
        Raw raw = exchange("GET", path, null, "application/json");
        return raw.json();
    }

    private JsonNode postJson(String path, JsonNode body) {
        Raw raw = exchange("POST", path, body, "application/json");
        return raw.json();
    }

    private <T> T convert(JsonNode node, Class<T> type, String endpoint) {
        return convert(node, mapper.getTypeFactory().constructType(type), endpoint);
    }

    private <T> T convert(JsonNode node, JavaType type, String endpoint) {
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw protocol(endpoint, "unexpected response shape for " + type.getRawClass().getSimpleName() + ": "
                    + e.getOriginalMessage() + "; body: " + BackendJson.snippet(node.toString(), 200), e);
        } catch (IllegalArgumentException e) {
            throw protocol(endpoint, "unexpected response shape for " + type.getRawClass().getSimpleName() + ": "
                    + e.getMessage() + "; body: " + BackendJson.snippet(node.toString(), 200), e);
        }
    }

    private Request buildRequest(String method, String path, JsonNode body, String accept, CallPhase phase) {
        HttpUrl url = baseUrl.newBuilder().addPathSegments(path.substring(1)).build();
        Request.Builder b = new Request.Builder().url(url).header("Accept", accept).tag(CallPhase.class, phase);
        if (requestId != null) {
            b.header(REQUEST_ID_HEADER, requestId);
        }
        if (body != null) {
            byte[] bytes;
            try {
                bytes = mapper.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot serialise request for " + method + " " + path, e);
            }
            b.method(method, RequestBody.create(bytes, JSON));
        } else {
            b.method(method, null);
        }
        return b.build();
    }

    private Raw exchange(String method, String path, JsonNode body, String accept) {
        String endpoint = method + " " + path;
        CallPhase phase = new CallPhase();
        Call call = http.newCall(buildRequest(method, path, body, accept, phase));
        try (Response response = call.execute()) {
            String text = response.body() == null ? "" : response.body().string();
            return new Raw(endpoint, response.code(), text);
        } catch (IOException e) {
            throw mapIo(e, call, phase, endpoint, false, -1);
        }
    }

    private StreamHandle startStream(String path, JsonNode body, SseCall.Mode mode, Class<?> type,
            StreamListener<?> listener) {
        Objects.requireNonNull(listener, "listener");
        String endpoint = "POST " + path;
        CallPhase phase = new CallPhase();
        Call call = http.newCall(buildRequest("POST", path, body, "text/event-stream", phase));
        @SuppressWarnings({ "unchecked", "rawtypes" })
        SseCall<?> sse = new SseCall(this, call, phase, endpoint, mode, type, listener);
        try {
            streamExecutor.execute(sse);
        } catch (RejectedExecutionException e) {
            sse.finishError(new BackendCancelledException(instanceId, displayUrl, endpoint,
                    "stream executor rejected the stream: " + e.getMessage(), e));
        }
        return sse;
    }

    /** Reads at most 64 KiB of a (possibly endless) body. */
    static String readBounded(ResponseBody body) throws IOException {
        if (body == null) {
            return "";
        }
        BufferedSource source = body.source();
        source.request(MAX_ERROR_BODY);
        long n = Math.min(source.getBuffer().size(), MAX_ERROR_BODY);
        return source.getBuffer().readString(n, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ error mapping

    BackendProtocolException protocol(String endpoint, String detail, Throwable cause) {
        return new BackendProtocolException(instanceId, displayUrl, endpoint, detail, cause);
    }

    BackendUnavailableException unavailable(String endpoint, String detail, Throwable cause) {
        return new BackendUnavailableException(instanceId, displayUrl, endpoint, detail, cause);
    }

    /** Maps a non-2xx answer: 503 "Loading model" → loading, everything else → {@link BackendHttpException}. */
    BackendException httpError(String endpoint, int status, String body) {
        String type = null;
        String message = null;
        JsonNode node = null;
        try {
            node = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (JsonProcessingException ignored) {
            // not JSON
        }
        if (node != null && node.isObject()) {
            JsonNode err = node.get("error");
            if (err != null && err.isObject()) {
                type = BackendJson.text(err, "type");
                message = BackendJson.text(err, "message");
            } else if (err != null && err.isTextual()) {
                message = err.textValue();
            } else {
                message = BackendJson.text(node, "message");
                type = BackendJson.text(node, "type");
            }
        }
        if (status == 503 && ("unavailable_error".equals(type)
                || (message != null && message.toLowerCase().contains("loading")))) {
            return new BackendLoadingException(instanceId, displayUrl, endpoint,
                    message == null ? "Loading model" : message);
        }
        String shown = message != null ? message
                : (body == null || body.isBlank() ? "(empty body)" : BackendJson.snippet(body, 300));
        String detail = "HTTP " + status + (type != null ? " " + type : "") + ": " + shown;
        return new BackendHttpException(instanceId, displayUrl, endpoint, status, type, message,
                body == null ? null : BackendJson.snippet(body, 4096), detail);
    }

    /**
     * Maps an I/O failure.
     *
     * @param streamEvents events delivered so far for a stream whose body is being read; -1 otherwise
     */
    BackendException mapIo(IOException e, Call call, CallPhase phase, String endpoint, boolean cancelledByUs,
            int streamEvents) {
        if (cancelledByUs) {
            String when = streamEvents >= 0 ? " after " + streamEvents + " events" : "";
            return new BackendCancelledException(instanceId, displayUrl, endpoint, "cancelled" + when, e);
        }
        if (e instanceof SocketTimeoutException) {
            if (!phase.connected) {
                return timeout(endpoint, BackendTimeoutException.Phase.CONNECT, timeouts.connect(),
                        "connect timed out after " + timeouts.connect().toMillis() + " ms", e);
            }
            if (!phase.responseStarted) {
                return timeout(endpoint, BackendTimeoutException.Phase.FIRST_BYTE, timeouts.read(),
                        "timed out after " + timeouts.read().toMillis() + " ms waiting for the first byte", e);
            }
            String what = streamEvents >= 0 ? "the next event after " + streamEvents + " events"
                    : "more of the response body";
            return timeout(endpoint, BackendTimeoutException.Phase.READ, timeouts.read(),
                    "timed out after " + timeouts.read().toMillis() + " ms waiting for " + what, e);
        }
        // OkHttp reports an expired call timeout as InterruptedIOException("timeout") on a call it cancelled.
        if (e instanceof InterruptedIOException && call.isCanceled()) {
            return timeout(endpoint, BackendTimeoutException.Phase.TOTAL, timeouts.total(),
                    "call exceeded the total timeout of " + timeouts.total().toMillis() + " ms"
                            + (streamEvents >= 0 ? " after " + streamEvents + " events" : ""),
                    e);
        }
        if (e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()) {
            return new BackendCancelledException(instanceId, displayUrl, endpoint, "interrupted", e);
        }
        if (call.isCanceled()) {
            return new BackendCancelledException(instanceId, displayUrl, endpoint, "call was cancelled", e);
        }
        if (e instanceof UnknownHostException) {
            return unavailable(endpoint, "unknown host: " + e.getMessage(), e);
        }
        if (e instanceof ConnectException || !phase.connected) {
            return unavailable(endpoint, "cannot connect: " + e, e);
        }
        if (streamEvents >= 0) {
            return unavailable(endpoint, "stream ended before the final event after " + streamEvents
                    + " events (connection lost: " + e + ")", e);
        }
        if (!phase.responseStarted) {
            return unavailable(endpoint, "connection lost before the response: " + e, e);
        }
        return unavailable(endpoint, "connection lost while reading the response: " + e, e);
    }

    private BackendTimeoutException timeout(String endpoint, BackendTimeoutException.Phase p, Duration limit,
            String detail, Throwable cause) {
        return new BackendTimeoutException(instanceId, displayUrl, endpoint, p, limit, detail, cause);
    }

    @Override
    public String toString() {
        return "LlamaServerClient[" + instanceId + " " + displayUrl + "]";
    }

    /** A fully read, non-streamed answer. */
    private final class Raw {
        final String endpoint;
        final int status;
        final String body;

        Raw(String endpoint, int status, String body) {
            this.endpoint = endpoint;
            this.status = status;
            this.body = body;
        }

        void requireSuccess() {
            if (status < 200 || status > 299) {
                throw httpError(endpoint, status, body);
            }
        }

        JsonNode json() {
            requireSuccess();
            JsonNode node;
            try {
                node = mapper.readTree(body);
            } catch (JsonProcessingException e) {
                throw protocol(endpoint, "response is not valid JSON (HTTP " + status + "): "
                        + BackendJson.snippet(body, 200), e);
            }
            if (node == null || node.isMissingNode() || node.isNull()) {
                throw protocol(endpoint, "empty response body (HTTP " + status + ")", null);
            }
            return node;
        }
    }

    private static final class StreamThreadFactory implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "echelon-backend-stream-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
