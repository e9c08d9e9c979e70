package dev.echelon.fake;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.MockProfile;
import dev.echelon.registry.ModelSpec;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-process stand-in for one llama.cpp {@code llama-server} (v0.5.0) process: takes the same command-line flags,
 * speaks the same HTTP API with the same JSON shapes, answers 503 "Loading model" for as long as the cost model says
 * loading takes, then generates deterministic English (or code, or JSON) with per-token log-probabilities, paced in
 * real time by the {@link CostModel} — prompt processing, decoding under concurrency and partial GPU offload, draft
 * speculation with Leviathan-style acceptance. A model's capability level decides how it copes with a prompt: beyond
 * it, answers carry the signals of a weak model (low-confidence tokens, repetition loops, early stops, broken JSON).
 *
 * <p>All request handling and pacing runs on one Vert.x event loop; nothing blocks it. {@link #start} and
 * {@link #close} block the calling thread and must not be called on an event loop (use {@link #startAsync} and
 * {@link #closeAsync} there).
 */
public final class FakeLlamaServer implements AutoCloseable {

    private static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final ObjectNode LOADING = LlamaJson.error(503, "Loading model", "unavailable_error");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final long CLOSE_GRACE_MS = 10_000;
    /** A relaunch on a port just freed retries its bind this many times, this far apart (see {@link #bind}). */
    private static final int BIND_RETRIES = 20;
    private static final long BIND_RETRY_MS = 10;

    /** One llama-server slot: a sequence that can generate, with the KV cache of what it last processed. */
    static final class Slot {
        final int id;
        Generation task;
        List<Integer> cache = List.of();
        long lastUsed;
        int idTask = -1;
        int nPromptTokens;
        GenRequest lastRequest;

        Slot(int id) {
            this.id = id;
        }
    }

    /** Counters behind /metrics and {@link #stats()}; written on the event loop only. */
    static final class Counters {
        volatile long requests;
        volatile long completed;
        volatile long cancelled;
        volatile long deferred;
        volatile long promptTokens;
        volatile long cachedTokens;
        volatile double promptSeconds;
        volatile long predictedTokens;
        volatile double predictedSeconds;
        volatile long decodeCalls;
        volatile long busySlotSum;
        volatile long tokensMax;
        volatile long draftTokens;
        volatile long acceptedTokens;
        volatile long drafts;
        volatile long[] acceptedPerPosition = new long[0];
    }

    private final Vertx vertx;
    /** The event loop this server lives on (its own verticle's context, so servers spread over event loops). */
    private volatile Context context;
    private volatile Future<String> deployment;
    private final ServerConfig cfg;
    private final FakeModel target;
    private final FakeModel draft;
    private final FakeOptions options;
    private final CostModel cost = new CostModel();
    private final Calibration targetCal;
    private final Calibration draftCal;
    private final double gpuFraction;
    private final double draftGpuFraction;
    private final Tokenizer tokenizer;
    private final int contextTrain;
    /** Per slot ({@link ServerConfig#slotContext}): what one request may take, as {@code /props} reports it. */
    private final int nCtx;
    private final String modelName;
    private final double loadSeconds;
    private final Slot[] slots;
    private final ArrayDeque<Generation> queue = new ArrayDeque<>();
    private final Counters counters = new Counters();
    private final Set<HttpConnection> connections = Collections.newSetFromMap(new IdentityHashMap<>());
    private final SplittableRandom seeds;
    private final String mediaMarker;
    private final long createdEpochSeconds = System.currentTimeMillis() / 1000;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** When the simulated process was launched: loading is timed from here, set-up work included. */
    private final long launchNanos = System.nanoTime();

    private volatile HttpServer http;
    private volatile int port;
    private volatile FakeServerState state = FakeServerState.LOADING;
    private volatile int openConnections;
    private volatile int active;
    private volatile int queued;
    private boolean closing;
    /** The stop under way or done, once one began (event-loop confined like the rest of the state). */
    private Future<Void> stopped;
    private long loadTimer = -1;
    private int nextTaskId;
    private long slotClock;

    private FakeLlamaServer(Vertx vertx, ServerConfig cfg, FakeModel target, FakeModel draft,
            FakeOptions options) {
        this.vertx = vertx;
        this.cfg = cfg;
        this.target = target;
        this.draft = draft;
        this.options = options;
        this.targetCal = Calibration.of(withProfile(target.model()));
        this.draftCal = draft == null ? null : Calibration.of(withProfile(draft.model()));
        this.gpuFraction = cfg.gpuFraction(target.variant().layers());
        this.draftGpuFraction = draft == null ? 0 : cfg.draftGpuFraction(draft.variant().layers());
        this.tokenizer = tokenizerOf(target);
        this.contextTrain = target.variant().contextLength() > 0 ? target.variant().contextLength() : 4096;
        this.nCtx = cfg.slotContext(contextTrain);
        this.modelName = cfg.aliases.isEmpty() ? cfg.model : cfg.aliases.get(0);
        long bytes = target.variant().bytes() + (draft == null ? 0 : draft.variant().bytes());
        this.loadSeconds = cost.loadSeconds(targetCal, bytes, gpuFraction, options.coldStart(), true)
                * options.timeScale();
        this.slots = new Slot[cfg.slotCount()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i);
        }
        this.seeds = new SplittableRandom(Hashing.of("server-seeds", options.seedSalt(), cfg.model));
        StringBuilder marker = new StringBuilder();
        SplittableRandom r = new SplittableRandom(Hashing.of("media", System.nanoTime()));
        String alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 32; i++) {
            marker.append(alnum.charAt(r.nextInt(alnum.length())));
        }
        this.mediaMarker = marker.toString();
        counters.acceptedPerPosition = new long[Math.max(1, cfg.specDraftNMax)];
    }

    private static ModelSpec withProfile(ModelSpec m) {
        if (m.mock() != null) {
            return m;
        }
        long bytes = Math.max(1_000_000L, m.referenceVariant().bytes());
        double decodeGpu = 900e9 * 0.6 / bytes;
        double decodeCpu = 60e9 * 0.6 / bytes;
        return new ModelSpec(m.name(), m.family(), m.variants(),
                new MockProfile(0.5, decodeGpu * 40, decodeGpu, decodeCpu * 8, decodeCpu, 5e9, 24e9, 400));
    }

    // =================================================================== public API

    /**
     * Parses llama-server flags, binds the HTTP port and returns once listening; the model then loads in the
     * background (503 "Loading model" meanwhile).
     *
     * @throws IllegalArgumentException an unknown or removed flag ("invalid argument: --foo"), or a model path the
     *                                  catalog does not know ("failed to load model")
     * @throws IllegalStateException    the port cannot be bound, or called on a Vert.x event loop thread
     */
    public static FakeLlamaServer start(Vertx vertx, List<String> args, FakeModelCatalog catalog,
            FakeOptions options) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("FakeLlamaServer.start blocks; on an event loop use startAsync");
        }
        Future<FakeLlamaServer> f = startAsync(vertx, args, catalog, options);
        try {
            return f.toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("fake llama-server did not start listening within " + START_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting fake llama-server", e);
        }
    }

    /** Like {@link #start} without blocking; argument and model errors are thrown immediately. */
    public static Future<FakeLlamaServer> startAsync(Vertx vertx, List<String> args, FakeModelCatalog catalog,
            FakeOptions options) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(catalog, "catalog");
        FakeOptions opts = options == null ? FakeOptions.DEFAULT : options;
        ServerConfig cfg = ServerConfig.parse(args);
        FakeModel target = catalog.byPath(cfg.model)
                .orElseThrow(() -> new IllegalArgumentException("failed to load model, '" + cfg.model + "'"));
        FakeModel draft = null;
        if (cfg.draftModel != null) {
            draft = catalog.byPath(cfg.draftModel).orElseThrow(() -> new IllegalArgumentException(
                    "failed to load draft model, '" + cfg.draftModel + "'"));
            if (tokenizerOf(draft) != tokenizerOf(target)) {
                throw new IllegalArgumentException("the draft model '" + cfg.draftModel
                        + "' is not compatible with the target model '" + cfg.model + "'");
            }
        }
        FakeLlamaServer server = new FakeLlamaServer(vertx, cfg, target, draft, opts);
        return server.listen();
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        String host = cfg.host.equals("0.0.0.0") || cfg.host.isEmpty() ? "127.0.0.1" : cfg.host;
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port;
    }

    public FakeServerState state() {
        return state;
    }

    /** Simulated load time in (scaled) seconds: how long /health answers 503 after start. */
    public double loadSeconds() {
        return loadSeconds;
    }

    /** Waits until the model has loaded; false on timeout or when the server stopped first. */
    public boolean awaitReady(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return state == FakeServerState.READY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    public FakeStats stats() {
        Counters c = counters;
        return new FakeStats(c.requests, c.completed, c.cancelled, c.deferred, active, queued, c.promptTokens,
                c.cachedTokens, c.predictedTokens, c.draftTokens, c.acceptedTokens, c.drafts, c.decodeCalls,
                openConnections);
    }

    /** The model file this server was started with ({@code -m}). */
    public String modelPath() {
        return cfg.model;
    }

    /** The launch arguments, as given. */
    public List<String> args() {
        return cfg.args;
    }

    /**
     * Graceful stop: new requests are refused (503), requests in flight run to their end (at most 10 s), then the
     * port closes. Blocks; on an event loop it only starts the shutdown.
     */
    @Override
    public void close() {
        Future<Void> f = closeAsync();
        if (Context.isOnEventLoopThread()) {
            return;
        }
        try {
            f.toCompletionStage().toCompletableFuture().get(CLOSE_GRACE_MS + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closed as far as it could be
        }
    }

    public Future<Void> closeAsync() {
        Context ctx = context;
        if (ctx == null) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        ctx.runOnContext(v -> {
            if (state == FakeServerState.STOPPED) {
                (stopped == null ? Future.<Void>succeededFuture() : stopped).onComplete(done);
                return;
            }
            closing = true;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MS);
            awaitIdle(deadline, () -> shutdown(false).onComplete(done));
        });
        return done.future();
    }

    private void awaitIdle(long deadline, Runnable then) {
        if ((active == 0 && queue.isEmpty()) || System.nanoTime() > deadline) {
            then.run();
        } else {
            vertx.setTimer(5, id -> awaitIdle(deadline, then));
        }
    }

    /**
     * Abrupt stop, as if the process were killed: the listening socket and every open connection close at once,
     * in-flight streams break off mid-way.
     */
    public void crash() {
        Context ctx = context;
        if (ctx == null) {
            return;
        }
        Promise<Void> done = Promise.promise();
        ctx.runOnContext(v -> shutdown(true).onComplete(done));
        if (Context.isOnEventLoopThread()) {
            return;
        }
        try {
            done.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // best effort
        }
    }

    private Future<Void> shutdown(boolean abrupt) {
        if (stopped != null) {
            // A stop is already closing the socket. A crash on top of it also drops the connections that stop was
            // letting finish, and completes only once that close is done: completing sooner would let a relaunch
            // find the port still bound.
            List<Future<Void>> drops = abrupt ? dropConnections() : List.of();
            return Future.join(drops).recover(err -> Future.succeededFuture()).compose(x -> stopped);
        }
        if (state == FakeServerState.STOPPED && http == null) {
            return Future.succeededFuture(); // never listened: the bind failed
        }
        state = FakeServerState.STOPPED;
        ready.complete(null);
        if (loadTimer >= 0) {
            vertx.cancelTimer(loadTimer);
            loadTimer = -1;
        }
        for (Slot s : slots) {
            if (s.task != null) {
                s.task.cancel();
            }
        }
        for (Generation g : new ArrayList<>(queue)) {
            g.cancel();
        }
        List<Future<Void>> closes = abrupt ? dropConnections() : new ArrayList<>();
        HttpServer h = http;
        http = null;
        if (h != null) {
            closes.add(h.close());
        }
        Future<String> d = deployment;
        stopped = Future.join(closes).recover(err -> Future.succeededFuture())
                .compose(x -> d == null ? Future.succeededFuture() : d.compose(vertx::undeploy))
                .<Void>mapEmpty().recover(err -> Future.succeededFuture());
        return stopped;
    }

    /** Closes every open connection at once, as a killed process's would be: streams in flight break off. */
    private List<Future<Void>> dropConnections() {
        List<Future<Void>> closes = new ArrayList<>();
        for (HttpConnection c : new ArrayList<>(connections)) {
            closes.add(c.close());
        }
        return closes;
    }

    @Override
    public String toString() {
        return "FakeLlamaServer[" + modelName + " @ " + baseUrl() + ", " + state + "]";
    }

    // =================================================================== package-private accessors

    Vertx vertx() {
        return vertx;
    }

    Context context() {
        return context;
    }

    ServerConfig config() {
        return cfg;
    }

    FakeModel target() {
        return target;
    }

    /** The tokenizer a model file really has: its family's, unless the mock profile says the file differs. */
    static Tokenizer tokenizerOf(FakeModel m) {
        MockProfile p = m.model().mock();
        return Tokenizer.forFamily(p != null && p.tokenizer() != null ? p.tokenizer() : m.model().family());
    }

    FakeModel draft() {
        return draft;
    }

    FakeOptions options() {
        return options;
    }

    Tokenizer tokenizer() {
        return tokenizer;
    }

    int nCtx() {
        return nCtx;
    }

    int contextTrain() {
        return contextTrain;
    }

    String modelName() {
        return modelName;
    }

    String mediaMarker() {
        return mediaMarker;
    }

    long createdEpochSeconds() {
        return createdEpochSeconds;
    }

    int slotCount() {
        return slots.length;
    }

    List<Slot> slots() {
        return Arrays.asList(slots);
    }

    Counters counters() {
        return counters;
    }

    int activeCount() {
        return active;
    }

    int queuedCount() {
        return queued;
    }

    double capability() {
        MockProfile p = target.model().mock();
        return p == null ? 0.5 : p.capability();
    }

    /** The draft acceptance rate α this server's model would see for a prompt (for tests). */
    double acceptanceRate(String promptText, boolean json) {
        return PromptAnalysis.of(promptText, json, options.seedSalt()).acceptanceRate(capability());
    }

    /** The prompt difficulty the capability model assigns (for tests). */
    double difficulty(String promptText, boolean json) {
        return PromptAnalysis.of(promptText, json, options.seedSalt()).difficulty;
    }

    long effectiveSeed(long requestSeed) {
        if (requestSeed == GenRequest.DEFAULT_SEED || requestSeed < 0) {
            return seeds.nextLong();
        }
        return requestSeed;
    }

    // =================================================================== cost model

    long nanos(double seconds) {
        return (long) (seconds * options.timeScale() * 1e9);
    }

    double prefillSeconds(int tokens) {
        double s = cost.prefillSeconds(targetCal, gpuFraction, tokens);
        if (draft != null && cfg.draftSimple()) {
            s += cost.prefillSeconds(draftCal, draftGpuFraction, tokens);
        }
        return s;
    }

    double tpotSeconds() {
        return cost.decodeSecondsPerToken(targetCal, target.variant().bytes(), gpuFraction, Math.max(1, active));
    }

    double draftTpotSeconds() {
        return cost.decodeSecondsPerToken(draftCal, draft.variant().bytes(), draftGpuFraction, Math.max(1, active));
    }

    /** One speculative pass (target verification + {@code drafted} draft steps), per the cost model. */
    double passSeconds(int drafted, double alpha) {
        double t = tpotSeconds();
        if (drafted <= 0 || draft == null) {
            return t;
        }
        return cost.speculativeSecondsPerToken(targetCal, target.variant().bytes(), gpuFraction, Math.max(1, active),
                draftTpotSeconds(), drafted, alpha) * CostModel.expectedTokensPerPass(alpha, drafted);
    }

    // =================================================================== scheduling (event loop)

    private void submit(Generation g) {
        counters.requests++;
        Slot s = pickSlot(g.req);
        if (s == null) {
            queue.add(g);
            queued = queue.size();
            counters.deferred++;
            return;
        }
        begin(g, s);
    }

    private Slot pickSlot(GenRequest r) {
        Slot best = null;
        int bestLcp = 0;
        Slot lru = null;
        for (Slot s : slots) {
            if (s.task != null) {
                continue;
            }
            if (r.idSlot >= 0 && r.idSlot == s.id) {
                return s;
            }
            int lcp = 0;
            int max = Math.min(s.cache.size(), r.promptTokens.size());
            while (lcp < max && s.cache.get(lcp).equals(r.promptTokens.get(lcp))) {
                lcp++;
            }
            if (lcp > bestLcp) {
                best = s;
                bestLcp = lcp;
            }
            if (lru == null || s.lastUsed < lru.lastUsed) {
                lru = s;
            }
        }
        return best != null && bestLcp > 1 ? best : lru;
    }

    private void begin(Generation g, Slot s) {
        s.task = g;
        s.idTask = g.idTask;
        s.nPromptTokens = g.promptTokens();
        s.lastRequest = g.req;
        s.lastUsed = ++slotClock;
        active++;
        g.start(s);
    }

    void onPromptProcessed(Generation g) {
        counters.promptTokens += g.promptN;
        counters.cachedTokens += g.cacheN;
        counters.promptSeconds += g.promptMs() / 1000.0;
        onDecodeCall();
    }

    void onDecodeCall() {
        counters.decodeCalls++;
        counters.busySlotSum += Math.max(1, active);
    }

    void onDraftPass(int drafted, int accepted) {
        counters.draftTokens += drafted;
        counters.acceptedTokens += accepted;
        counters.drafts++;
        long[] perPos = counters.acceptedPerPosition;
        if (perPos.length < drafted) {
            perPos = Arrays.copyOf(perPos, drafted);
        }
        for (int i = 0; i < accepted; i++) {
            perPos[i]++;
        }
        counters.acceptedPerPosition = perPos;
    }

    void onGenerationDone(Generation g) {
        counters.completed++;
        release(g);
    }

    void onGenerationCancelled(Generation g) {
        counters.cancelled++;
        if (g.slot == null) {
            queue.remove(g);
            queued = queue.size();
            return;
        }
        release(g);
    }

    private void release(Generation g) {
        Slot s = g.slot;
        counters.predictedTokens += g.predicted;
        if (g.tFirst > 0) {
            counters.predictedSeconds += g.predictedMs() / 1000.0;
        }
        counters.tokensMax = Math.max(counters.tokensMax, (long) g.promptTokens() + g.predicted);
        if (s != null && s.task == g) {
            List<Integer> cache = new ArrayList<>(g.req.promptTokens);
            for (TokenStream.Planned t : g.emitted) {
                cache.add(t.id());
            }
            s.cache = cache;
            s.task = null;
            s.lastUsed = ++slotClock;
            active--;
        }
        if (state != FakeServerState.STOPPED) {
            context.runOnContext(v -> drainQueue());
        }
    }

    private void drainQueue() {
        while (!queue.isEmpty() && state == FakeServerState.READY) {
            Generation next = queue.peek();
            Slot s = pickSlot(next.req);
            if (s == null) {
                break;
            }
            queue.poll();
            queued = queue.size();
            begin(next, s);
        }
    }

    // =================================================================== HTTP

    private Future<FakeLlamaServer> listen() {
        Promise<FakeLlamaServer> result = Promise.promise();
        deployment = vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start(Promise<Void> started) {
                FakeLlamaServer.this.context = context;
                bind().onSuccess(v -> {
                    started.complete();
                    result.complete(FakeLlamaServer.this);
                }).onFailure(err -> {
                    started.fail(err);
                    result.tryFail(err);
                });
            }
        });
        deployment.onFailure(result::tryFail);
        return result.future();
    }

    private Future<Void> bind() {
        return bind(BIND_RETRIES);
    }

    private Future<Void> bind(int retriesLeft) {
        HttpServerOptions o = new HttpServerOptions().setHost(cfg.host).setPort(Math.max(0, cfg.port))
                .setReuseAddress(true).setCompressionSupported(false);
        HttpServer server = vertx.createHttpServer(o);
        server.connectionHandler(c -> {
            connections.add(c);
            openConnections = connections.size();
            c.closeHandler(x -> {
                connections.remove(c);
                openConnections = connections.size();
            });
        });
        server.requestHandler(this::handle);
        return server.listen().<Void>map(s -> {
            http = s;
            port = s.actualPort();
            long ms = Math.round(loadSeconds * 1000 - (System.nanoTime() - launchNanos) / 1e6);
            if (ms >= 1) {
                loadTimer = vertx.setTimer(ms, id -> {
                    loadTimer = -1;
                    loaded();
                });
            } else {
                loaded();
            }
            return null;
        }).recover(err -> {
            if (retriesLeft > 0 && cfg.port > 0 && addressInUse(err)) {
                // A server stopped on this port a moment ago (a relaunch): its closed listening socket can outlive
                // the close by about a millisecond (the JDK frees a selector's channel at the next select), where a
                // process's exit frees it at once. Wait that moment out; a port another server keeps still fails.
                Promise<Void> again = Promise.promise();
                vertx.setTimer(BIND_RETRY_MS, id -> bind(retriesLeft - 1).onComplete(again));
                return again.future();
            }
            state = FakeServerState.STOPPED;
            ready.complete(null);
            return Future.failedFuture(new IllegalStateException("couldn't bind HTTP server socket, hostname: "
                    + cfg.host + ", port: " + cfg.port, err));
        });
    }

    private static boolean addressInUse(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    private void loaded() {
        if (state == FakeServerState.LOADING) {
            state = FakeServerState.READY;
            ready.complete(null);
        }
    }

    private void handle(HttpServerRequest req) {
        HttpServerResponse resp = req.response();
        resp.putHeader("Server", "llama.cpp");
        resp.putHeader("Access-Control-Allow-Origin", req.getHeader("Origin") == null ? "" : req.getHeader("Origin"));
        try {
            if (state == FakeServerState.STOPPED || closing) {
                sendJson(req, 503, LlamaJson.error(503, "Server is shutting down", "unavailable_error"));
                return;
            }
            if (req.method() == HttpMethod.OPTIONS) {
                resp.putHeader("Access-Control-Allow-Methods", "GET, POST");
                resp.putHeader("Access-Control-Allow-Headers", "*");
                resp.setStatusCode(200).end();
                return;
            }
            if (state == FakeServerState.LOADING) {
                sendJson(req, 503, LOADING);
                return;
            }
            String path = req.path();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            if (cfg.apiKey != null && !path.equals("/health") && !path.equals("/v1/health")
                    && !path.equals("/models") && !path.equals("/v1/models") && !authorised(req)) {
                sendJson(req, 401, LlamaJson.error(401, "Invalid API Key", "authentication_error"));
                return;
            }
            boolean get = req.method() == HttpMethod.GET;
            boolean post = req.method() == HttpMethod.POST;
            switch (path) {
                case "/health", "/v1/health" -> {
                    if (get) {
                        sendJson(req, 200, JsonNodeFactory.instance.objectNode().put("status", "ok"));
                        return;
                    }
                }
                case "/metrics" -> {
                    if (get) {
                        if (!cfg.metrics) {
                            throw ApiError.notSupported(
                                    "This server does not support metrics endpoint. Start it with `--metrics`");
                        }
                        resp.setStatusCode(200).putHeader("Content-Type", "text/plain; version=0.0.4")
                                .end(LlamaJson.metrics(this));
                        return;
                    }
                }
                case "/props" -> {
                    if (get) {
                        sendJson(req, 200, LlamaJson.props(this));
                        return;
                    }
                    if (post) {
                        withBody(req, body -> {
                            if (!cfg.props) {
                                throw ApiError.notSupported("This server does not support changing global "
                                        + "properties. Start it with `--props`");
                            }
                            sendJson(req, 200, JsonNodeFactory.instance.objectNode().put("success", true));
                        });
                        return;
                    }
                }
                case "/models", "/v1/models" -> {
                    if (get) {
                        sendJson(req, 200, LlamaJson.models(this));
                        return;
                    }
                }
                case "/slots" -> {
                    if (get) {
                        if (!cfg.slots) {
                            throw ApiError.notSupported(
                                    "This server does not support slots endpoint. Start it with `--slots`");
                        }
                        String fail = req.getParam("fail_on_no_slot");
                        if (fail != null && !fail.isEmpty() && !fail.equals("0") && !fail.equals("false")
                                && Arrays.stream(slots).allMatch(s -> s.task != null)) {
                            sendJson(req, 503, LlamaJson.error(503, "no slot available", "unavailable_error"));
                            return;
                        }
                        sendJson(req, 200, LlamaJson.slots(this));
                        return;
                    }
                }
                case "/completion", "/completions" -> {
                    if (post) {
                        withBody(req, body -> generate(req, parseCompletion(body, GenRequest.Api.COMPLETION)));
                        return;
                    }
                }
                case "/v1/completions" -> {
                    if (post) {
                        withBody(req, body -> generate(req, parseCompletion(body, GenRequest.Api.OAI_COMPLETION)));
                        return;
                    }
                }
                case "/chat/completions", "/v1/chat/completions" -> {
                    if (post) {
                        withBody(req, body -> generate(req, parseChat(body)));
                        return;
                    }
                }
                case "/tokenize" -> {
                    if (post) {
                        withBody(req, body -> sendJson(req, 200, tokenizeResponse(body)));
                        return;
                    }
                }
                case "/detokenize" -> {
                    if (post) {
                        withBody(req, body -> sendJson(req, 200, detokenizeResponse(body)));
                        return;
                    }
                }
                case "/apply-template" -> {
                    if (post) {
                        withBody(req, body -> {
                            JsonNode messages = body.get("messages");
                            if (messages == null || !messages.isArray()) {
                                throw ApiError.invalid("'messages' is required");
                            }
                            sendJson(req, 200, JsonNodeFactory.instance.objectNode()
                                    .put("prompt", ChatTemplate.render(messages, body.get("tools"), true)));
                        });
                        return;
                    }
                }
                case "/embedding", "/embeddings", "/v1/embeddings" -> {
                    if (post) {
                        withBody(req, body -> {
                            throw ApiError.notSupported(
                                    "This server does not support embeddings. Start it with `--embeddings`");
                        });
                        return;
                    }
                }
                default -> {
                    // fall through to 404
                }
            }
            sendJson(req, 404, LlamaJson.error(404, "File Not Found", "not_found_error"));
        } catch (ApiError e) {
            sendJson(req, e.code, LlamaJson.error(e));
        } catch (RuntimeException e) {
            sendJson(req, 500, LlamaJson.error(500, String.valueOf(e.getMessage()), "server_error"));
        }
    }

    private boolean authorised(HttpServerRequest req) {
        String auth = req.getHeader("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && auth.substring(7).trim()
                .equals(cfg.apiKey)) {
            return true;
        }
        String key = req.getHeader("X-Api-Key");
        return key != null && key.equals(cfg.apiKey);
    }

    @FunctionalInterface
    private interface BodyHandler {
        void handle(JsonNode body);
    }

    private void withBody(HttpServerRequest req, BodyHandler handler) {
        req.body().onComplete(ar -> {
            if (ar.failed()) {
                return;
            }
            try {
                handler.handle(parseJson(ar.result()));
            } catch (ApiError e) {
                sendJson(req, e.code, LlamaJson.error(e));
            } catch (RuntimeException e) {
                sendJson(req, 500, LlamaJson.error(500, String.valueOf(e.getMessage()), "server_error"));
            }
        });
    }

    private static JsonNode parseJson(Buffer buf) {
        String s = buf == null ? "" : buf.toString(StandardCharsets.UTF_8);
        if (s.isBlank()) {
            throw new ApiError(500, "server_error", "[json.exception.parse_error.101] parse error at line 1, "
                    + "column " + (s.length() + 1) + ": syntax error while parsing value - unexpected end of input; "
                    + "expected '[', '{', or a literal");
        }
        try {
            JsonNode n = LlamaJson.MAPPER.readTree(s);
            if (n == null || n.isMissingNode()) {
                throw new ApiError(500, "server_error", "[json.exception.parse_error.101] parse error at line 1, "
                        + "column 1: syntax error while parsing value - unexpected end of input");
            }
            return n;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            int line = loc == null ? 1 : Math.max(1, loc.getLineNr());
            int col = loc == null ? 1 : Math.max(1, loc.getColumnNr());
            String detail = e.getOriginalMessage() == null ? "syntax error" : e.getOriginalMessage().split("\n")[0];
            boolean eof = detail.toLowerCase(Locale.ROOT).contains("end-of-input");
            throw new ApiError(500, "server_error", "[json.exception.parse_error.101] parse error at line " + line
                    + ", column " + col + ": syntax error while parsing value - "
                    + (eof ? "unexpected end of input; expected '[', '{', or a literal" : "invalid literal; "
                            + detail));
        }
    }

    private void sendJson(HttpServerRequest req, int status, JsonNode body) {
        HttpServerResponse r = req.response();
        if (r.ended() || r.closed()) {
            return;
        }
        if (r.headWritten()) {
            r.end();
            return;
        }
        r.setStatusCode(status).putHeader("Content-Type", JSON_TYPE);
        if (status == 400 || status == 500) {
            r.putHeader("Connection", "close");
        }
        r.end(LlamaJson.write(body));
    }

    // =================================================================== request parsing

    private GenRequest parseCompletion(JsonNode body, GenRequest.Api api) {
        if (!body.isObject()) {
            throw ApiError.invalid("[json.exception.type_error.306] cannot use value() with " + kind(body));
        }
        JsonNode p = body.get("prompt");
        if (p == null) {
            throw ApiError.invalid("[json.exception.out_of_range.403] key 'prompt' not found");
        }
        GenRequest r = new GenRequest();
        r.api = api;
        if (p.isArray() && p.size() > 0 && (p.get(0).isArray() || (p.get(0).isTextual() && p.size() > 1
                && allText(p)))) {
            p = p.get(0);
        }
        if (p.isObject() && p.has("prompt_string")) {
            p = p.get("prompt_string");
        }
        if (p.isTextual()) {
            r.promptText = p.asText();
            r.promptTokens = tokenizer.tokenize(r.promptText, true, true);
        } else if (p.isArray()) {
            List<Integer> toks = new ArrayList<>();
            for (JsonNode e : p) {
                if (e.isIntegralNumber()) {
                    toks.add(e.asInt());
                } else if (e.isTextual()) {
                    toks.addAll(tokenizer.tokenize(e.asText(), false, true));
                } else {
                    throw ApiError.invalid("invalid prompt element: " + e);
                }
            }
            r.promptTokens = toks;
            List<Integer> noBos = toks.isEmpty() || toks.get(0) != Tokenizer.BOS ? toks : toks.subList(1, toks.size());
            r.promptText = tokenizer.detokenize(noBos);
        } else {
            throw ApiError.invalid("\"prompt\" must be a string, a list of tokens, or a list of prompts");
        }
        if (r.promptTokens.isEmpty()) {
            throw ApiError.invalid("empty prompt");
        }
        r.analysisText = r.promptText;
        int im = r.promptText.lastIndexOf(Tokenizer.IM_START_TEXT + "user\n");
        if (im >= 0) {
            int start = im + (Tokenizer.IM_START_TEXT + "user\n").length();
            int end = r.promptText.indexOf(Tokenizer.IM_END_TEXT, start);
            r.analysisText = r.promptText.substring(start, end < 0 ? r.promptText.length() : end);
        }
        if (api == GenRequest.Api.OAI_COMPLETION) {
            r.nPredict = intOr(body, "max_tokens", intOr(body, "n_predict", cfg.nPredict));
            JsonNode lp = body.get("logprobs");
            r.nProbs = lp != null && lp.isNumber() ? Math.max(0, lp.asInt())
                    : lp != null && lp.asBoolean(false) ? 1 : 0;
        } else {
            r.nPredict = intOr(body, "n_predict", intOr(body, "max_tokens", cfg.nPredict));
            r.nProbs = Math.max(0, intOr(body, "n_probs", 0));
        }
        common(body, r);
        return r;
    }

    private GenRequest parseChat(JsonNode body) {
        if (!body.isObject()) {
            throw ApiError.invalid("[json.exception.type_error.306] cannot use value() with " + kind(body));
        }
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw ApiError.invalid("'messages' is required");
        }
        if (!messages.isArray()) {
            throw ApiError.invalid("Expected 'messages' to be an array");
        }
        if (messages.isEmpty()) {
            throw ApiError.invalid("'messages' must not be empty");
        }
        GenRequest r = new GenRequest();
        r.api = GenRequest.Api.CHAT;
        String rendered = ChatTemplate.render(messages, body.get("tools"), true);
        r.promptTokens = tokenizer.tokenize(rendered, true, true);
        r.promptText = "";
        r.analysisText = ChatTemplate.lastUserText(messages);
        ToolCalls.Decision tools = ToolCalls.decide(body, messages);
        r.toolCall = tools.call();
        r.toolPreface = tools.preface();
        r.generationPrompt = ChatTemplate.GENERATION_PROMPT;
        r.nPredict = intOr(body, "max_completion_tokens", intOr(body, "max_tokens",
                intOr(body, "n_predict", cfg.nPredict)));
        r.chatLogprobs = body.path("logprobs").asBoolean(false);
        r.nProbs = r.chatLogprobs ? Math.max(0, intOr(body, "top_logprobs", 0)) : Math.max(0, intOr(body, "n_probs", 0));
        if (!r.chatLogprobs && r.nProbs > 0) {
            r.chatLogprobs = true;
        }
        common(body, r);
        return r;
    }

    private void common(JsonNode body, GenRequest r) {
        r.stop = GenRequest.stops(body.get("stop"));
        JsonNode seed = body.get("seed");
        if (seed != null && seed.isNumber()) {
            long s = seed.asLong();
            r.seed = s < 0 ? GenRequest.DEFAULT_SEED : s;
        } else if (cfg.seed >= 0) {
            r.seed = cfg.seed;
        }
        r.temperature = doubleOr(body, "temperature", 0.8);
        r.topK = intOr(body, "top_k", 40);
        r.topP = doubleOr(body, "top_p", 0.95);
        r.minP = doubleOr(body, "min_p", 0.05);
        r.stream = body.path("stream").asBoolean(false);
        r.ignoreEos = body.path("ignore_eos").asBoolean(false);
        r.cachePrompt = body.path("cache_prompt").asBoolean(true);
        r.postSamplingProbs = body.path("post_sampling_probs").asBoolean(false) && r.api == GenRequest.Api.COMPLETION;
        r.returnTokens = body.path("return_tokens").asBoolean(true);
        r.idSlot = intOr(body, "id_slot", -1);
        JsonNode schema = body.get("json_schema");
        if (schema != null && schema.isObject()) {
            r.json = true;
            r.jsonSchema = schema;
        }
        JsonNode grammar = body.get("grammar");
        if (grammar != null && grammar.isTextual() && !grammar.asText().isBlank()) {
            r.grammar = grammar.asText();
            r.json = true;
        }
        JsonNode rf = body.get("response_format");
        if (rf != null && rf.isObject()) {
            String type = rf.path("type").asText("");
            if (type.equals("json_object") || type.equals("json_schema")) {
                r.json = true;
                JsonNode s = rf.has("json_schema") ? rf.get("json_schema").get("schema") : rf.get("schema");
                if (s != null && s.isObject()) {
                    r.jsonSchema = s;
                }
            }
        }
        JsonNode spec = body.get("speculative");
        r.specNMax = intOrNull(body, "speculative.n_max");
        r.specNMin = intOrNull(body, "speculative.n_min");
        r.specPMin = body.has("speculative.p_min") && body.get("speculative.p_min").isNumber()
                ? body.get("speculative.p_min").asDouble() : null;
        if (spec != null && spec.isObject()) {
            if (spec.path("n_max").isNumber()) {
                r.specNMax = spec.get("n_max").asInt();
            }
            if (spec.path("n_min").isNumber()) {
                r.specNMin = spec.get("n_min").asInt();
            }
            if (spec.path("p_min").isNumber()) {
                r.specPMin = spec.get("p_min").asDouble();
            }
        }
        if (r.promptTokens.size() >= nCtx) {
            throw new ApiError(400, "exceed_context_size_error",
                    "the request exceeds the available context size, try increasing it", r.promptTokens.size(),
                    nCtx);
        }
    }

    private static boolean allText(JsonNode arr) {
        for (JsonNode e : arr) {
            if (!e.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static String kind(JsonNode n) {
        return n.isArray() ? "array" : n.isTextual() ? "string" : n.isNumber() ? "number" : n.isBoolean() ? "boolean"
                : n.isNull() ? "null" : "object";
    }

    private static int intOr(JsonNode body, String field, int dflt) {
        JsonNode v = body.get(field);
        return v != null && v.isNumber() ? v.asInt() : dflt;
    }

    private static Integer intOrNull(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v != null && v.isNumber() ? v.asInt() : null;
    }

    private static double doubleOr(JsonNode body, String field, double dflt) {
        JsonNode v = body.get(field);
        return v != null && v.isNumber() ? v.asDouble() : dflt;
    }

    private ObjectNode tokenizeResponse(JsonNode body) {
        String content = body.path("content").asText("");
        boolean addSpecial = body.path("add_special").asBoolean(false);
        boolean parseSpecial = body.path("parse_special").asBoolean(true);
        boolean withPieces = body.path("with_pieces").asBoolean(false);
        List<Integer> ids = tokenizer.tokenize(content, addSpecial, parseSpecial);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode arr = o.putArray("tokens");
        for (int id : ids) {
            if (withPieces) {
                ObjectNode e = arr.addObject();
                e.put("id", id);
                byte[] b = tokenizer.bytes(id);
                if (tokenizer.isByteToken(id) && (b[0] & 0x80) != 0) {
                    e.set("piece", LlamaJson.bytes(b));
                } else {
                    e.put("piece", new String(b, StandardCharsets.UTF_8));
                }
            } else {
                arr.add(id);
            }
        }
        return o;
    }

    private ObjectNode detokenizeResponse(JsonNode body) {
        List<Integer> ids = new ArrayList<>();
        JsonNode t = body.get("tokens");
        if (t != null && t.isArray()) {
            for (JsonNode e : t) {
                if (e.isIntegralNumber() && tokenizer.valid(e.asInt())) {
                    ids.add(e.asInt());
                }
            }
        }
        return JsonNodeFactory.instance.objectNode().put("content", tokenizer.detokenize(ids));
    }

    // =================================================================== generation endpoints

    private void generate(HttpServerRequest req, GenRequest r) {
        Generation.Sink sink = switch (r.api) {
            case COMPLETION -> new CompletionSink(req);
            case OAI_COMPLETION -> new OaiCompletionSink(req);
            case CHAT -> new ChatSink(req);
        };
        Generation g = new Generation(this, r, sink, nextTaskId++);
        req.response().closeHandler(v -> g.cancel());
        req.response().exceptionHandler(err -> g.cancel());
        submit(g);
    }

    private static String completionId(SplittableRandom r) {
        String alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder("chatcmpl-");
        for (int i = 0; i < 32; i++) {
            sb.append(alnum.charAt(r.nextInt(alnum.length())));
        }
        return sb.toString();
    }

    /** Common streaming plumbing: SSE headers on the first event, {@code data: {json}\n\n} framing. */
    private abstract class StreamingSink implements Generation.Sink {
        final HttpServerRequest req;
        final String id = completionId(new SplittableRandom(Hashing.of("id", System.nanoTime(), nextTaskId)));
        final long created = System.currentTimeMillis() / 1000;
        boolean started;

        StreamingSink(HttpServerRequest req) {
            this.req = req;
        }

        boolean open() {
            HttpServerResponse r = req.response();
            return !r.ended() && !r.closed();
        }

        void begin() {
            if (started || !open()) {
                return;
            }
            started = true;
            HttpServerResponse r = req.response();
            r.setStatusCode(200).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
                    .setChunked(true);
            onBegin();
        }

        void onBegin() {
        }

        void event(JsonNode json) {
            if (open()) {
                req.response().write("data: " + LlamaJson.write(json) + "\n\n");
            }
        }

        void end(String last) {
            if (open()) {
                if (last != null) {
                    req.response().write(last);
                }
                req.response().end();
            }
        }

        void json(int status, JsonNode body) {
            sendJson(req, status, body);
        }
    }

    private final class CompletionSink extends StreamingSink {
        CompletionSink(HttpServerRequest req) {
            super(req);
        }

        @Override
        public void onToken(Generation g, TokenStream.Planned t, String text) {
            if (!g.req.stream || text.isEmpty()) {
                return;
            }
            begin();
            event(LlamaJson.completionChunk(g, t, text));
        }

        @Override
        public void onDone(Generation g) {
            if (!g.req.stream) {
                json(200, LlamaJson.completionFinal(g, false));
                return;
            }
            begin();
            String rest = g.flushRemaining();
            if (!rest.isEmpty()) {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("index", 0);
                o.put("content", rest);
                o.putArray("tokens");
                o.put("stop", false);
                o.put("id_slot", -1);
                o.put("tokens_predicted", g.predicted);
                o.put("tokens_evaluated", g.promptTokens());
                event(o);
            }
            event(LlamaJson.completionFinal(g, true));
            end(null);
        }
    }

    private final class ChatSink extends StreamingSink {
        private boolean toolCallStarted;

        ChatSink(HttpServerRequest req) {
            super(req);
        }

        @Override
        void onBegin() {
            // the role chunk goes out with the first token, as llama-server sends it
        }

        @Override
        public void onToken(Generation g, TokenStream.Planned t, String text) {
            if (!g.req.stream || text.isEmpty()) {
                return;
            }
            first(g);
            if (g.toolCall()) {
                toolCallStart(g);
                event(LlamaJson.chatChunk(g, id, created, LlamaJson.toolArgumentsDelta(text), null, t));
                return;
            }
            event(LlamaJson.chatChunk(g, id, created, LlamaJson.contentDelta(text), null, t));
        }

        private void first(Generation g) {
            if (!started) {
                begin();
                event(LlamaJson.chatChunk(g, id, created, LlamaJson.chatRoleDelta(), null, null));
            }
        }

        /** A tool call opens with its id, type and name (empty arguments) before the first argument fragment. */
        private void toolCallStart(Generation g) {
            if (!toolCallStarted) {
                toolCallStarted = true;
                event(LlamaJson.chatChunk(g, id, created, LlamaJson.toolCallStartDelta(g), null, null));
            }
        }

        @Override
        public void onDone(Generation g) {
            if (!g.req.stream) {
                json(200, LlamaJson.chat(g, id, created));
                return;
            }
            first(g);
            String rest = g.flushRemaining();
            if (g.toolCall()) {
                toolCallStart(g);
                if (!rest.isEmpty()) {
                    event(LlamaJson.chatChunk(g, id, created, LlamaJson.toolArgumentsDelta(rest), null, null));
                }
            } else if (!rest.isEmpty()) {
                event(LlamaJson.chatChunk(g, id, created, LlamaJson.contentDelta(rest), null, null));
            }
            event(LlamaJson.chatChunk(g, id, created, JsonNodeFactory.instance.objectNode(), g.finishReason(),
                    null));
            event(LlamaJson.chatUsageChunk(g, id, created));
            end("data: [DONE]\n\n");
        }
    }

    private final class OaiCompletionSink extends StreamingSink {
        OaiCompletionSink(HttpServerRequest req) {
            super(req);
        }

        @Override
        public void onToken(Generation g, TokenStream.Planned t, String text) {
            if (!g.req.stream || text.isEmpty()) {
                return;
            }
            begin();
            event(LlamaJson.oaiCompletionChunk(g, id, created, text, null, t));
        }

        @Override
        public void onDone(Generation g) {
            if (!g.req.stream) {
                json(200, LlamaJson.oaiCompletion(g, id, created));
                return;
            }
            begin();
            String rest = g.flushRemaining();
            if (!rest.isEmpty()) {
                event(LlamaJson.oaiCompletionChunk(g, id, created, rest, null, null));
            }
            event(LlamaJson.oaiCompletionChunk(g, id, created, "", g.finishReason(), null));
            end("data: [DONE]\n\n");
        }
    }
}
