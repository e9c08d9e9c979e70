package dev.echelon.supervisor;

import dev.echelon.config.EchelonConfig;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Wires the supervisor for the mode Echelon runs in: fake servers in mock mode, real llama-server otherwise. */
public class SupervisorProducer {

    /** One connection pool for every backend call: keeps connections to llama-servers warm across requests. */
    @Produces
    @Singleton
    OkHttpClient backendHttp() {
        // OkHttp's default dispatcher runs 5 calls per host at once; a llama-server with -np 8 needs more
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(1024);
        dispatcher.setMaxRequestsPerHost(256);
        return new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
                .retryOnConnectionFailure(false) // a failed generation must not be silently sent twice
                .build();
    }

    void closeHttp(@Disposes OkHttpClient http) {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Produces
    @Singleton
    Supervisor supervisor(EchelonConfig config, ModelRegistry registry, Vertx vertx, OkHttpClient http,
            MeterRegistry metrics) {
        Launcher launcher;
        LlamaServerHelp help;
        if (config.mockMode()) {
            FakeModelCatalog catalog = FakeModelCatalog.of(
                    registry.roles().values().stream().map(RoleSpec::model).flatMap(java.util.Optional::stream)
                            .toList(), Path.of(config.modelsDir()));
            launcher = new FakeLauncher(vertx, catalog,
                    new FakeOptions(config.mock().timeScale(), config.mock().coldStart(), 0L),
                    config.mock().honourSpecRequest());
            help = LlamaServerHelp.recordedV050().withFlags(FakeLauncher.FAKE_FLAGS);
        } else if (registry.instances().anyMatch(i -> !i.external())) {
            help = ProcessLauncher.readHelp(config.llamaServer());
            launcher = new ProcessLauncher(config.llamaServer(), help.dialect(), config.supervisor().logMaxBytes(),
                    config.supervisor().logKeep());
        } else {
            help = LlamaServerHelp.recordedV050();
            launcher = new ProcessLauncher(config.llamaServer(), help.dialect(), config.supervisor().logMaxBytes(),
                    config.supervisor().logKeep());
        }
        RestartPolicy restart = new RestartPolicy(config.supervisor().restartBackoffInitialMs(),
                config.supervisor().restartBackoffMaxMs(), 60_000);
        Supervisor supervisor = new Supervisor(registry, launcher, help, new ClientHealthProbe(http),
                new PortAllocator(config.backendPortBase()), Path.of(config.modelsDir()),
                Path.of(config.dataDir(), "logs"), restart, Duration.ofMillis(config.supervisor().stopGraceMs()),
                DraftSettings.of(registry));
        // subscribed before anything starts, so the first loads are timed too
        supervisor.onChange(new LoadDurations(metrics,
                id -> supervisor.server(id).map(ServerProcess::role).orElse("unknown")));
        return supervisor;
    }

    void close(@Disposes Supervisor supervisor) {
        supervisor.close();
    }
}
