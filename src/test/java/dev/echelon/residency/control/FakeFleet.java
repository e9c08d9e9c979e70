package dev.echelon.residency.control;

import dev.echelon.cost.CostModel;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.registry.RoleSpec;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.supervisor.ClientHealthProbe;
import dev.echelon.supervisor.FakeLauncher;
import dev.echelon.supervisor.LlamaServerHelp;
import dev.echelon.supervisor.PortAllocator;
import dev.echelon.supervisor.RestartPolicy;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.Supervisor;
import io.vertx.core.Vertx;
import okhttp3.OkHttpClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The shipped registry's backends as in-process fake llama-servers under a real {@link Supervisor}: what the actuator
 * and controller drive in mock mode, at a compressed time scale.
 */
final class FakeFleet implements AutoCloseable {

    static final ModelRegistry REGISTRY =
            new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(Path.of("model_registry.yaml"));
    static final double TIME_SCALE = 0.05;
    /** Room for any placement: tests that are not about budgets must not be limited by them. */
    static final Budgets ROOMY = new Budgets(200L << 30, 400L << 30);
    static final Budgets REGISTRY_BUDGETS = new Budgets(REGISTRY.residency().gpuBytes(),
            REGISTRY.residency().hostRamBytes());

    final Supervisor supervisor;
    final FakeLauncher launcher;

    FakeFleet(Vertx vertx, int portBase, Path logDir) {
        this(vertx, portBase, logDir, FakeModelCatalog.of(REGISTRY.roles().values().stream().map(RoleSpec::model)
                .flatMap(Optional::stream).toList(), Path.of("models")));
    }

    FakeFleet(Vertx vertx, int portBase, Path logDir, FakeModelCatalog catalog) {
        this.launcher = new FakeLauncher(vertx, catalog, FakeOptions.DEFAULT.withTimeScale(TIME_SCALE));
        this.supervisor = new Supervisor(REGISTRY, launcher, LlamaServerHelp.recordedV050(),
                new ClientHealthProbe(new OkHttpClient()), new PortAllocator(portBase), Path.of("models"), logDir,
                new RestartPolicy(100, 1_000, 60_000), Duration.ofSeconds(2));
    }

    static ResidencyModel model(Budgets budgets) {
        return ResidencyModel.of(REGISTRY, budgets, new CostModel());
    }

    FakeFleet startAndAwaitReady() throws Exception {
        supervisor.startAll();
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(20)))
                .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        return this;
    }

    ServerProcess server(String role) {
        return supervisor.serversOf(role).get(0);
    }

    @Override
    public void close() {
        supervisor.close();
    }
}
