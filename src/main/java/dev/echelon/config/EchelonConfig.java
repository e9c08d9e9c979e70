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

    Supervisor supervisor();

    /** Mock-mode only settings. */
    interface Mock {
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
}
