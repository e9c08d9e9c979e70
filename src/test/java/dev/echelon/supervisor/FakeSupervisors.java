package dev.echelon.supervisor;

import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.registry.RoleSpec;
import io.vertx.core.Vertx;
import okhttp3.OkHttpClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Supervisor over fake llama-servers for a registry written by a test or a benchmark, outside Quarkus: the
 * registry file goes to {@code dir}, which also holds the logs. Nothing is started; the caller starts it.
 */
public final class FakeSupervisors {

    /** The loaded registry and the supervisor built from it. */
    public record Fleet(ModelRegistry registry, Supervisor supervisor) {
    }

    public static Fleet create(Vertx vertx, OkHttpClient http, PortAllocator ports, Path dir, String registryYaml,
            FakeOptions options) throws IOException {
        Path file = dir.resolve("registry.yaml");
        Files.writeString(file, registryYaml);
        ModelRegistry registry = new RegistryLoader(RegistryMode.FULL, dir, false).load(file);
        FakeModelCatalog catalog = FakeModelCatalog.of(registry.roles().values().stream().map(RoleSpec::model)
                .flatMap(java.util.Optional::stream).toList(), dir);
        Supervisor supervisor = new Supervisor(registry, new FakeLauncher(vertx, catalog, options),
                LlamaServerHelp.recordedV050().withFlags(FakeLauncher.FAKE_FLAGS), new ClientHealthProbe(http),
                ports, dir, dir.resolve("logs"), new RestartPolicy(50, 1000, 60_000), Duration.ofSeconds(5),
                DraftSettings.of(registry));
        return new Fleet(registry, supervisor);
    }

    private FakeSupervisors() {
    }
}
