package dev.echelon.pipeline;

import dev.echelon.backend.BackendTimeouts;
import dev.echelon.backend.InstancePool;
import dev.echelon.backend.InstanceStatus;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.backend.PooledInstance;
import dev.echelon.config.EchelonConfig;
import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import dev.echelon.memory.EmbeddingService;
import dev.echelon.memory.MemoryRuntime;
import dev.echelon.routing.Embedder;
import dev.echelon.routing.ComplexityRouter;
import dev.echelon.routing.Router;
import dev.echelon.routing.SkillTracker;
import dev.echelon.speculation.SpeculationService;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.Supervisor;
import dev.echelon.escalation.Budget;
import dev.echelon.escalation.CircuitBreakers;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.QualityGate;
import dev.echelon.tools.ToolRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Wires the request path: the instance pool over the supervisor's servers, admission, the router, the pipeline. */
public class PipelineProducer {

    /** Slots assumed for an external server, whose {@code -np} Echelon does not know. */
    static final int EXTERNAL_SLOTS = 4;

    @Produces
    @Singleton
    InstancePool instancePool(ModelRegistry registry, Supervisor supervisor, OkHttpClient http, ResidencyView residency) {
        List<PooledInstance> instances = new ArrayList<>();
        for (RoleSpec role : registry.roles().values()) {
            BackendTimeouts timeouts = BackendTimeouts.forRole(role.timeouts());
            for (InstanceSpec spec : role.instances()) {
                ServerProcess server = supervisor.server(spec.id()).orElseThrow();
                int slots = spec.launch().map(l -> l.parallel()).orElse(EXTERNAL_SLOTS);
                LlamaServerClient client = new LlamaServerClient(HttpUrl.get(server.baseUrl()), spec.id(), http,
                        timeouts);
                instances.add(new PooledInstance(spec.id(), role.name(), slots, client,
                        () -> status(server, residency)));
            }
        }
        InstancePool pool = new InstancePool(instances);
        supervisor.onChange(change -> supervisor.server(change.instanceId())
                .ifPresent(s -> pool.changed(s.role())));
        residency.onStandingChange(pool::changed); // a role landed (or left): its waiting requests are re-dispatched
        return pool;
    }

    /**
     * A role the residency controller holds (cold, moving, substituted) is COLD whatever its server says: a server
     * about to be stopped or restarted with new flags must take no new request, and a stopped one is worth a bounded
     * wait because the controller brings it back on demand. A server being relaunched with other speculation settings
     * is WARMING from the moment the relaunch is asked for: it finishes what it serves but takes nothing new, and
     * requests wait for it rather than meet its stop. Otherwise the server's own state decides.
     */
    private static InstanceStatus status(ServerProcess server, ResidencyView residency) {
        if (residency.standing(server.role()).standing().held()) {
            return InstanceStatus.COLD;
        }
        if (server.relaunching()) {
            return InstanceStatus.WARMING; // new settings (a draft on or off): back within a load time
        }
        return switch (server.state()) {
            case READY -> InstanceStatus.READY;
            case STARTING, LOADING -> InstanceStatus.WARMING;
            // a failed server is being restarted, but waiting for it could take minutes: fail fast with Retry-After
            case FAILED, STOPPING, STOPPED -> InstanceStatus.DOWN;
        };
    }

    @Produces
    @Singleton
    Router router(ModelRegistry registry, InstancePool pool) {
        return new Router(registry, pool);
    }

    @Produces
    @Singleton
    CircuitBreakers breakers(EchelonConfig config) {
        EchelonConfig.Escalation e = config.escalation();
        return new CircuitBreakers(new CircuitBreakers.Settings(e.breakerFailures(),
                Duration.ofMillis(e.breakerCoolDownMs()), Duration.ofMinutes(5)));
    }

    @Produces
    @Singleton
    EscalationLog escalationLog(EchelonConfig config) {
        return new EscalationLog(Path.of(config.dataDir(), "escalations.jsonl"), config.escalation().logMaxBytes(), 5,
                200);
    }

    void closeLog(@Disposes EscalationLog log) {
        log.close();
    }

    @Produces
    @Singleton
    RecentOutcomes recentOutcomes() {
        return new RecentOutcomes(10_000);
    }

    /** One embedding space for the router's kNN and for memory, chosen once (see {@link RoutingEmbedder}). */
    @Produces
    @Singleton
    Embedder embedder(EchelonConfig config, EmbeddingService embeddings) {
        return "hashing".equals(config.routing().knnEmbedder()) ? new dev.echelon.routing.HashingEmbedder()
                : RoutingEmbedder.create(embeddings);
    }

    @Produces
    @Singleton
    ComplexityTaskRouter taskRouter(EchelonConfig config, ModelRegistry registry, InstancePool pool,
            Embedder embedder, MemoryRuntime memory) {
        EchelonConfig.Routing r = config.routing();
        SkillTracker tracker = ComplexityRouter.trackerFor(registry, SkillTracker.Config.DEFAULTS
                .withExplorationRate(Math.min(SkillTracker.MAX_EXPLORATION, r.maxExploration())));
        ComplexityRouter router = ComplexityRouter.create(registry, embedder, memory.indexes()::create, tracker,
                ComplexityRouter.Config.DEFAULTS.withTarget(r.successTarget())
                        .withWaitCostPerSecond(1.0 / r.waitSecondsPerCostUnit()));
        return new ComplexityTaskRouter(router, pool, registry, Path.of(config.dataDir(), "skills.json"));
    }

    void saveSkills(@Disposes ComplexityTaskRouter tasks) {
        tasks.save();
    }

    @Produces
    @Singleton
    Admission admission(EchelonConfig config, ModelRegistry registry, InstancePool pool, CircuitBreakers breakers,
            MeterRegistry metrics, ResidencyView residency) {
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "echelon-admission-timer");
            t.setDaemon(true);
            return t;
        });
        Admission admission = new Admission(pool, config.api().maxQueuePerRole(), config.api().maxQueueWaitMs(),
                role -> registry.role(role).map(r -> r.timeouts().loadMs()).orElse(60_000L),
                config.residency().transitionWaitMs(), timers, id -> !breakers.refusing(id));
        // one gauge per role from the start, so a dashboard sees an idle role's empty queue rather than no series
        for (String role : registry.roles().keySet()) {
            Gauge.builder("echelon.queue.depth", admission, a -> a.queued(role))
                    .description("Requests waiting in a role's admission queue").tag("role", role).register(metrics);
        }
        new SubstitutionHandOver(residency, admission, List.copyOf(registry.roles().keySet())).start();
        return admission;
    }

    @Produces
    @Singleton
    Pipeline pipeline(EchelonConfig config, ModelRegistry registry, Router router, ComplexityTaskRouter tasks,
            Admission admission, CircuitBreakers breakers, EscalationLog log, RecentOutcomes outcomes,
            MeterRegistry metrics, ResidencyView residency, SpeculationService speculation, MemoryRuntime memory,
            ToolRegistry tools) {
        EchelonConfig.Escalation e = config.escalation();
        Budget budget = Budget.of(e.maxRetries(), e.maxEscalations(), (long) e.maxTotalTokens(),
                Duration.ofMillis(e.deadlineMs()));
        GateConfig gateConfig = GateConfig.DEFAULT;
        return new Pipeline(new PipelineParts(registry, router, tasks, admission, new QualityGate(gateConfig),
                gateConfig, e.holdBackTokens(), e.holdBackMs(), new EscalationPolicy(registry, breakers), breakers,
                log, budget, metrics, outcomes, residency, speculation, memory.service(), tools));
    }

    void close(@Disposes Admission admission) {
        admission.close();
    }
}
