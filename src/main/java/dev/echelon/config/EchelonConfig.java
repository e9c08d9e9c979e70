package dev.echelon.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Optional;

/**
 * Deployment settings: the few things that differ between machines. Everything about models lives in
 * {@code model_registry.yaml}. Each property is also an environment variable ({@code orchestrator.mock-mode} ↔
 * {@code ORCHESTRATOR_MOCK_MODE}); {@code .env.example} documents them all.
 */
@ConfigMapping(prefix = "orchestrator")
public interface EchelonConfig {

    /** Start fake llama-servers in-process instead of real ones: everything runs with no model and no GPU. */
    @WithDefault("false")
    boolean mockMode();

    /** The model registry file. */
    @WithDefault("model_registry.yaml")
    String registryPath();

    /** {@code full} (every role has a model) or {@code lean} (external URLs need no model files). */
    @WithDefault("full")
    String registryMode();

    /** The llama-server binary: a path or a name on PATH. */
    @WithDefault("llama-server")
    String llamaServer();

    /** Where relative GGUF paths in the registry are resolved. */
    @WithDefault("models")
    String modelsDir();

    /** Bearer keys accepted on /v1 and /mcp; empty means no authentication. */
    Optional<List<String>> apiKeys();

    /** Bearer keys accepted on /admin. */
    Optional<List<String>> adminKeys();

    /** Origins allowed to call the API from a browser (comma-separated; {@code /regex/} allowed); default: any. */
    Optional<List<String>> corsOrigins();

    /** Port of Echelon's own HTTP API. */
    @WithDefault("8080")
    int port();

    /** Interface Echelon listens on. */
    @WithDefault("0.0.0.0")
    String host();

    /** First port handed to backend llama-servers that have no fixed port; each takes the next free one. */
    @WithDefault("18100")
    int backendPortBase();

    /** Logs, escalation log, memory store. */
    @WithDefault("data")
    String dataDir();

    Mock mock();

    Api api();

    Routing routing();

    Escalation escalation();

    Supervisor supervisor();

    Residency residency();

    Speculation speculation();

    Memory memory();

    Tools tools();

    SandboxLimits sandbox();

    WebFetchLimits webfetch();

    /** Server-side tools (run_code, web_fetch) and the Pipeline's tool loop; which role gets which is in the registry. */
    interface Tools {
        /** Offer each role the tools its registry entry allows; false offers none (client tools still pass through). */
        @WithDefault("true")
        boolean enabled();

        /** Most rounds of server tool calls in one request; then a final answer is generated without tools. */
        @WithDefault("4")
        int maxRounds();
    }

    /** Limits of one sandboxed run of model-written code (sandbox/README.md explains each). */
    interface SandboxLimits {
        /** The launcher script; relative to the working directory (the repository root under ./echelon). */
        @WithDefault("sandbox/run-sandboxed")
        String launcher();

        /** CPU seconds before SIGXCPU. */
        @WithDefault("10")
        int cpuSeconds();

        /** Address space of each process ({@code 512MiB}). */
        @WithDefault("512MiB")
        String memory();

        /** Open files per process. */
        @WithDefault("64")
        int openFiles();

        /** Largest file a program may write. */
        @WithDefault("16MiB")
        String fileSize();

        /**
         * The uids programs run as, {@code first-last}: one per run at a time, so that runs never share a process
         * limit (one uid: one run at a time). The size of the range is how many programs may run at once.
         */
        @WithDefault(dev.echelon.tools.SandboxUids.DEFAULT_RANGE)
        String uids();

        /** Processes of one run's uid: the fork-bomb stop. */
        @WithDefault("32")
        int processes();

        /** Size of the tmpfs work directory. */
        @WithDefault("32MiB")
        String disk();

        /** Wall-clock deadline of one run (whole seconds; the request's own deadline cuts it further). */
        @WithDefault("20000")
        long wallClockMs();

        /** Bytes kept from each of stdout and stderr. */
        @WithDefault("64KiB")
        String outputCap();
    }

    /** What web_fetch may reach and take. Loopback, private, link-local and metadata addresses are always refused. */
    interface WebFetchLimits {
        /** Hosts that may be fetched ({@code example.com}, {@code *.example.com}); empty: any public host. */
        Optional<List<String>> allowHosts();

        /** Hosts never fetched; wins over the allow list. */
        Optional<List<String>> denyHosts();

        /** Most body bytes read per fetch. */
        @WithDefault("2MiB")
        String maxBytes();

        /** The whole fetch, redirects included. */
        @WithDefault("10000")
        long timeoutMs();

        @WithDefault("5")
        int maxRedirects();
    }

    /** Contextual memory: what is recalled into chat requests and remembered from their answers, per API key. */
    interface Memory {
        /** Recall into chat requests and remember served exchanges; false turns memory (and /v1/memory) off. */
        @WithDefault("true")
        boolean enabled();

        /** Most memories recalled into one request. */
        @WithDefault("4")
        int recallK();

        /** Memories less similar (cosine) than this to the request's last user message are not recalled. */
        @WithDefault("0.6")
        double minSimilarity();

        /** Most tokens the recalled context block may take. */
        @WithDefault("512")
        int tokenBudget();

        /** Memories older than this many days are purged; 0 keeps them forever. */
        @WithDefault("90")
        int retentionDays();

        /** Most memories kept per API key; the oldest beyond are purged. */
        @WithDefault("10000")
        int maxPerKey();

        /** Step of the usefulness update Q ← Q + η(r − Q) when an answer that used a memory is rated. */
        @WithDefault("0.2")
        double eta();

        /** Search with FAISS when its native library loads; false uses the pure-Java exact index. */
        @WithDefault("true")
        boolean faiss();

        /** Index size from which FAISS searches an HNSW graph instead of scanning exactly. */
        @WithDefault("20000")
        int hnswThreshold();

        /** How often a changed index is snapshotted to disk (and retention applied), in milliseconds. */
        @WithDefault("60000")
        long snapshotIntervalMs();
    }

    /** Draft-model speculation: how draft lengths adapt to measured acceptance. */
    interface Speculation {
        /** Adapt draft lengths (per request where servers honour it, else per instance); false keeps the registry's. */
        @WithDefault("true")
        boolean adapt();

        /** Longest draft length adaptation may choose. */
        @WithDefault("16")
        int maxDraft();

        /** A per-instance change (a relaunch) must promise at least this relative saving in time per token. */
        @WithDefault("0.08")
        double retuneGain();

        /** Least time between two per-instance changes of a role's draft length (wall-clock ms). */
        @WithDefault("60000")
        long retuneIntervalMs();

        /** How long a target waits to become ready for its pairing check (ms). */
        @WithDefault("120000")
        long checkTimeoutMs();
    }

    /** Mock-mode only settings. */
    interface Mock {
        /**
         * Fake servers honour per-request {@code speculative.n_max} (a newer llama-server); false: they ignore it as
         * llama-server v0.5.0 does.
         */
        @WithDefault("false")
        boolean honourSpecRequest();

        /** Multiplies every simulated duration (load times, token pacing); 1 = as the cost model says. */
        @WithDefault("1.0")
        double timeScale();

        /** Whether fake servers start with cold weights (read from NVMe) or staged in the page cache. */
        @WithDefault("true")
        boolean coldStart();
    }

    /** The OpenAI-compatible API: limits, backpressure, streaming and shutdown. */
    interface Api {
        /** Largest request body accepted; larger ones get 413. */
        @WithDefault("8388608")
        long maxBodyBytes();

        /** Requests that may wait per role when every slot is busy; one more gets 429. */
        @WithDefault("64")
        int maxQueuePerRole();

        /** Longest a request waits for a busy role's slot before 503 (a loading role may take its load timeout). */
        @WithDefault("30000")
        long maxQueueWaitMs();

        /** Interval of SSE comment keep-alives while a stream waits for a loading or busy role. */
        @WithDefault("1000")
        long keepAliveMs();

        /** On shutdown, how long in-flight requests may finish before open streams are ended. */
        @WithDefault("10000")
        long shutdownDrainMs();
    }

    /** Complexity routing for {@code model: auto}. */
    interface Routing {
        /** The router picks the cheapest role whose predicted success reaches this. */
        @WithDefault("0.8")
        double successTarget();

        /** Seconds of expected load wait that weigh as much as one unit of role cost. */
        @WithDefault("2.0")
        double waitSecondsPerCostUnit();

        /**
         * The space of the router's kNN: {@code model} (the in-process sentence model) or {@code hashing} (hashed
         * bag of words: no model to load; the test profile uses it because the model's native tokenizer can be
         * loaded by only one Quarkus application per JVM).
         */
        @WithDefault("model")
        String knnEmbedder();

        /** Largest share of routed requests that may explore a role other than the best-known one. */
        @WithDefault("0.03")
        double maxExploration();
    }

    /** The quality gate, escalation and their budgets. */
    interface Escalation {
        /** Streamed tokens held back (not sent) while the gate can still escalate invisibly. */
        @WithDefault("24")
        int holdBackTokens();

        /** …or this long, whichever comes first. */
        @WithDefault("1500")
        long holdBackMs();

        @WithDefault("2")
        int maxRetries();

        @WithDefault("3")
        int maxEscalations();

        /** Generated tokens over all attempts of one request. */
        @WithDefault("16384")
        int maxTotalTokens();

        /** A request's whole time budget, escalations included. */
        @WithDefault("120000")
        long deadlineMs();

        /** Consecutive failures after which an instance's circuit opens. */
        @WithDefault("5")
        int breakerFailures();

        @WithDefault("5000")
        long breakerCoolDownMs();

        /** Escalation log size before rotation. */
        @WithDefault("10485760")
        long logMaxBytes();
    }

    /** Process supervision. */
    interface Supervisor {
        /** First restart delay after a crash; doubles per consecutive crash. */
        @WithDefault("500")
        @WithName("restart-backoff-initial-ms")
        long restartBackoffInitialMs();

        @WithDefault("30000")
        @WithName("restart-backoff-max-ms")
        long restartBackoffMaxMs();

        /** How long a stopping server gets after SIGTERM before it is killed. */
        @WithDefault("5000")
        long stopGraceMs();

        /** Log file size at which a server's log is rotated. */
        @WithDefault("10485760")
        long logMaxBytes();

        /** Rotated log files kept per server. */
        @WithDefault("3")
        int logKeep();
    }

    /**
     * The residency controller: which role's weights sit in GPU memory, host RAM or on NVMe as traffic shifts.
     * {@code tick-ms} and {@code transition-wait-ms} are wall-clock times; dwell, window and horizon are on the
     * controller's clock, which in mock mode runs {@code 1 / mock.time-scale} times as fast as the wall clock, like
     * the fake servers' loading and token pacing, so the simulated world keeps its proportions.
     */
    interface Residency {
        /** Run the controller; off keeps the registry's launch placement and posts no signals. */
        @WithDefault("true")
        boolean enabled();

        /** The policy: planner, static, count-lru, ttl-lru, swap-one or rb. */
        @WithDefault("planner")
        String policy();

        /** Period of the controller's tick (forecast, plan, act); it also wakes on demand for a cold role. */
        @WithDefault("1000")
        long tickMs();

        /** GPU memory the controller may fill ({@code 24GiB}, {@code 8000000000}); default: the registry's. */
        Optional<String> gpuBytes();

        /** Host RAM the controller may fill; default: the registry's. */
        Optional<String> hostRamBytes();

        // The four planning settings below default, where unset, to the planner's own defaults
        // (dev.echelon.residency.control.PlannerConfig): the simulator's evidence and the service share one source.

        /** A role stays at least this long where a transition put it before it moves again (default 30000). */
        Optional<Long> minDwellMs();

        /** At most this many transitions per {@code transition-window-ms}, anti-thrash (default 8). */
        Optional<Integer> maxTransitions();

        /** The sliding window of that cap (default 60000). */
        Optional<Long> transitionWindowMs();

        /** How far ahead the planner weighs expected latency against the cost of moving weights (default 60). */
        Optional<Double> horizonS();

        /**
         * How long a request waits for a role that is cold (S4), moving (S5) or held by a decision (the verdict on a
         * request for it off the GPU, a decided promotion, a deferral) before it goes to the role's fallback (if that
         * is ready) or gets 503 with Retry-After.
         */
        @WithDefault("15000")
        long transitionWaitMs();

        /** Size at which {@code residency-trace.jsonl} in the data directory is rotated. */
        @WithDefault("10485760")
        long traceMaxBytes();

        /** The planner's overflow of a request stuck behind its busy role to the role's hot fallback. */
        Overflow overflow();

        /**
         * The overflow rule ({@link dev.echelon.residency.Overflow}): a trade of the fallback's answer quality for the
         * latency tail. A value left unset is the rule's default ({@code Overflow.Settings.DEFAULTS}), so the
         * simulator's evidence and the service share one source of defaults.
         */
        interface Overflow {
            /** Off: no request is answered by its fallback only because its own role is busy. */
            @WithDefault("true")
            boolean enabled();

            /** Only a wait longer than this many times the tier's TTFT objective counts as far past it (≥ 1). */
            Optional<Double> sloFactor();

            /** The most requests that may overflow, as a share of the window's requests, in [0, 1] (one at least). */
            Optional<Double> maxShare();

            /** The window that share is counted over, in seconds of the controller's clock. */
            Optional<Double> windowS();

            /** A wait must also pass this quantile of the recent first tokens, in [0, 1); 0 turns that test off. */
            Optional<Double> tailQuantile();

            /** The window the recent first tokens are taken from, in seconds of the controller's clock. */
            Optional<Double> tailWindowS();
        }
    }
}
