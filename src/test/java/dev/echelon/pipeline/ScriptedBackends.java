package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.backend.BackendTimeouts;
import dev.echelon.backend.InstancePool;
import dev.echelon.backend.InstanceStatus;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.backend.PooledInstance;
import dev.echelon.escalation.Budget;
import dev.echelon.escalation.CircuitBreakers;
import dev.echelon.escalation.EscalationEvent;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.QualityGate;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.routing.Router;
import dev.echelon.routing.RoutingDecision;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Pipeline assembled by hand over one scripted llama-server per role: a MockWebServer whose dispatcher answers
 * {@code POST /v1/chat/completions} by the role's {@link Script} and records every request it received. A role can
 * instead be dead (a closed port), down (admission refuses it), or point at any URL (e.g. a {@link RawSseServer}).
 * Instance ids are the registry's ({@code frontdoor-0} …), so the escalation policy sees the same circuit breakers
 * that admission consults.
 */
final class ScriptedBackends implements AutoCloseable {

    static final ModelRegistry REGISTRY =
            new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(Path.of("model_registry.yaml"));

    static final List<String> ROLES = List.of("frontdoor", "worker", "math", "coder", "architect");

    /** Generous defaults for backends that should not time out; the timeout tests use a short read timeout. */
    static final BackendTimeouts NORMAL = BackendTimeouts.of(500, 3_000, 8_000);
    static final BackendTimeouts SHORT = BackendTimeouts.of(200, 300, 2_000);

    /** How a role's backend answers its n-th request (0-based). */
    @FunctionalInterface
    interface Script {
        MockResponse answer(JsonNode request, int n);

        /** Always this generation (JSON or SSE, as the request asks). */
        static Script always(Answers.Gen gen) {
            return (req, n) -> Answers.render(gen, req, n);
        }

        /** Per request number; the last one repeats. */
        static Script sequence(Answers.Gen... gens) {
            return (req, n) -> Answers.render(gens[Math.min(n, gens.length - 1)], req, n);
        }

        static Script of(Function<JsonNode, MockResponse> f) {
            return (req, n) -> f.apply(req);
        }
    }

    /** One role's backend and what it received. */
    static final class Backend {
        final String role;
        final String instanceId;
        final MockWebServer server; // null when dead or external
        final HttpUrl url;
        final List<JsonNode> requests = new CopyOnWriteArrayList<>();
        volatile Script script;

        Backend(String role, String instanceId, MockWebServer server, HttpUrl url, Script script) {
            this.role = role;
            this.instanceId = instanceId;
            this.server = server;
            this.url = url;
            this.script = script;
        }

        int requestCount() {
            return requests.size();
        }

        JsonNode request(int i) {
            return requests.get(i);
        }
    }

    final Map<String, Backend> backends;
    final CircuitBreakers breakers;
    final EscalationLog log = EscalationLog.inMemory(200);
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final InstancePool pool;
    final Admission admission;
    final Pipeline pipeline;
    final Budget budget;
    private final OkHttpClient http = new OkHttpClient();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-admission-timer");
        t.setDaemon(true);
        return t;
    });
    private int requestSeq;

    private ScriptedBackends(Builder b) {
        this.budget = b.budget;
        this.breakers = new CircuitBreakers(b.breakerSettings);
        Map<String, Backend> map = new LinkedHashMap<>();
        List<PooledInstance> instances = new ArrayList<>();
        try {
            for (String role : ROLES) {
                String id = REGISTRY.requireRole(role).instances().get(0).id();
                Backend backend;
                if (b.external.containsKey(role)) {
                    backend = new Backend(role, id, null, b.external.get(role), null);
                } else if (b.dead.contains(role)) {
                    backend = new Backend(role, id, null, closedPort(), null);
                } else {
                    MockWebServer server = new MockWebServer();
                    server.start(InetAddress.getLoopbackAddress(), 0);
                    Script script = b.scripts.getOrDefault(role, Script.always(Answers.good(role)));
                    Backend self = new Backend(role, id, server, server.url("/"), script);
                    server.setDispatcher(new Dispatcher() {
                        @Override
                        public MockResponse dispatch(RecordedRequest r) {
                            if (!"POST".equals(r.getMethod()) || !"/v1/chat/completions".equals(r.getPath())) {
                                return new MockResponse().setResponseCode(404);
                            }
                            JsonNode body;
                            try {
                                body = Answers.JSON.readTree(r.getBody().readUtf8());
                            } catch (IOException e) {
                                return new MockResponse().setResponseCode(500);
                            }
                            int n;
                            synchronized (self.requests) {
                                n = self.requests.size();
                                self.requests.add(body);
                            }
                            return self.script.answer(body, n);
                        }
                    });
                    backend = self;
                }
                map.put(role, backend);
                BackendTimeouts t = b.timeouts.getOrDefault(role, NORMAL);
                LlamaServerClient client = new LlamaServerClient(backend.url, id, http, t);
                InstanceStatus status = b.down.contains(role) ? InstanceStatus.DOWN : InstanceStatus.READY;
                ResidencyView view = b.residency;
                instances.add(new PooledInstance(id, role, b.slots, client,
                        () -> view.standing(role).standing().held() ? InstanceStatus.COLD : status));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.backends = map;
        this.pool = new InstancePool(instances);
        b.residency.onStandingChange(pool::changed);
        this.admission = new Admission(pool, 8, b.maxQueueWaitMs, r -> 5_000L,
                b.residency == ResidencyView.NONE ? b.maxQueueWaitMs : b.residency.waitMs(), timers,
                id -> !breakers.refusing(id));
        new SubstitutionHandOver(b.residency, admission, List.copyOf(REGISTRY.roles().keySet())).start();
        Router router = new Router(REGISTRY, pool);
        TaskRouter tasks = b.tasks != null ? b.tasks : new FrontDoorTaskRouter(REGISTRY);
        this.pipeline = new Pipeline(new PipelineParts(REGISTRY, router, tasks, admission,
                new QualityGate(GateConfig.DEFAULT), GateConfig.DEFAULT, b.holdBackTokens, b.holdBackMs,
                new EscalationPolicy(REGISTRY, breakers), breakers, log, b.budget, metrics, new RecentOutcomes(100),
                b.residency, dev.echelon.speculation.SpeculationService.disabled(), java.util.Optional.empty(),
                b.tools));
    }

    private static HttpUrl closedPort() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        return new HttpUrl.Builder().scheme("http").host("127.0.0.1").port(port).build();
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private final Map<String, Script> scripts = new HashMap<>();
        private final Map<String, BackendTimeouts> timeouts = new HashMap<>();
        private final Map<String, HttpUrl> external = new HashMap<>();
        private final List<String> dead = new ArrayList<>();
        private final List<String> down = new ArrayList<>();
        private Budget budget = Budget.DEFAULT;
        private int holdBackTokens = 24;
        private long holdBackMs = 2_000;
        private CircuitBreakers.Settings breakerSettings = CircuitBreakers.Settings.DEFAULT;
        private long maxQueueWaitMs = 5_000;
        private int slots = 2;
        private TaskRouter tasks;
        private ResidencyView residency = ResidencyView.NONE;
        private dev.echelon.tools.ToolRegistry tools = dev.echelon.tools.ToolRegistry.none();

        /** Echelon's server-side tools and which role may call them; default: none. */
        Builder tools(dev.echelon.tools.ToolRegistry registry) {
            tools = registry;
            return this;
        }

        /** Where the residency controller holds each role (cold, moving, substituted); default: nowhere. */
        Builder residency(ResidencyView view) {
            residency = view;
            return this;
        }

        Builder script(String role, Script script) {
            scripts.put(role, script);
            return this;
        }

        Builder always(String role, Answers.Gen gen) {
            return script(role, Script.always(gen));
        }

        Builder timeouts(String role, BackendTimeouts t) {
            timeouts.put(role, t);
            return this;
        }

        /** The role's instance points at a closed port: connection refused. */
        Builder dead(String role) {
            dead.add(role);
            return this;
        }

        /** The role's instance reports DOWN: admission refuses it. */
        Builder down(String role) {
            down.add(role);
            return this;
        }

        Builder external(String role, HttpUrl url) {
            external.put(role, url);
            return this;
        }

        Builder budget(Budget b) {
            budget = b;
            return this;
        }

        Builder holdBack(int tokens, long ms) {
            holdBackTokens = tokens;
            holdBackMs = ms;
            return this;
        }

        Builder breakers(CircuitBreakers.Settings s) {
            breakerSettings = s;
            return this;
        }

        Builder maxQueueWaitMs(long ms) {
            maxQueueWaitMs = ms;
            return this;
        }

        Builder tasks(TaskRouter t) {
            tasks = t;
            return this;
        }

        ScriptedBackends build() {
            return new ScriptedBackends(this);
        }
    }

    Backend backend(String role) {
        return backends.get(role);
    }

    int requests(String role) {
        return backends.get(role).requestCount();
    }

    List<EscalationEvent> events() {
        return log.recent(200);
    }

    List<String> actions() {
        return events().stream().map(EscalationEvent::action).toList();
    }

    // ---------------------------------------------------------------- requests

    static ObjectNode chatBody(String model, String question, int maxTokens) {
        ObjectNode body = Answers.JSON.createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        body.put("max_tokens", maxTokens);
        return body;
    }

    static ObjectNode jsonBody(String model, String question, int maxTokens) {
        ObjectNode body = chatBody(model, question, maxTokens);
        body.putObject("response_format").put("type", "json_object");
        return body;
    }

    synchronized GenerationCall call(String model, ObjectNode body, boolean stream, boolean includeUsage) {
        if (stream) {
            body.put("stream", true);
            if (includeUsage) {
                body.putObject("stream_options").put("include_usage", true);
            }
        }
        String id = "req-" + (++requestSeq);
        return new GenerationCall(new RequestContext(id, "anonymous", System.nanoTime()), Endpoint.CHAT, model, body,
                stream, includeUsage);
    }

    /** Runs one request to its end (json, end or fail) and waits until the pipeline has recorded it. */
    CapturingSink run(GenerationCall call) {
        CapturingSink sink = new CapturingSink();
        pipeline.execute(call, sink);
        sink.await(Duration.ofSeconds(10));
        awaitIdle();
        return sink;
    }

    CapturingSink json(String model, ObjectNode body) {
        return run(call(model, body, false, false));
    }

    CapturingSink stream(String model, ObjectNode body, boolean includeUsage) {
        return run(call(model, body, true, includeUsage));
    }

    /** Waits until no request is in flight (the last attempt's bookkeeping runs just after the answer is sent). */
    void awaitIdle() {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pipeline.inFlight() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Only decisions for real roles (the pipeline announces each attempt's role). */
    static List<String> roles(List<RoutingDecision> decisions) {
        return decisions.stream().map(RoutingDecision::role).toList();
    }

    @Override
    public void close() {
        admission.close();
        timers.shutdownNow();
        for (Backend b : backends.values()) {
            if (b.server != null) {
                try {
                    b.server.shutdown();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
