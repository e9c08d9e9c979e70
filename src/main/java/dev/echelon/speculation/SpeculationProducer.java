package dev.echelon.speculation;

import dev.echelon.backend.InstancePool;
import dev.echelon.config.EchelonConfig;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.DraftPairing;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.supervisor.ClientHealthProbe;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.Supervisor;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import okhttp3.OkHttpClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Wires speculation: the tuner over the supervisor's draft settings, telemetry into Micrometer, the pairing check. */
public class SpeculationProducer {

    @Produces
    @Singleton
    SpeculationService speculation(EchelonConfig config, ModelRegistry registry, Supervisor supervisor,
            MeterRegistry meters, InstancePool pool) {
        EchelonConfig.Speculation s = config.speculation();
        CostModel cost = new CostModel();
        DraftTuner tuner = new DraftTuner(new DraftTuner.Settings(s.maxDraft(), 48, 0.97, 8, s.retuneGain(),
                s.retuneIntervalMs(), 600_000), role -> DraftCostPrior.costModelRatio(registry, role, cost),
                role -> registry.draftFor(role).map(DraftPairing::nMax).orElse(8));
        return new SpeculationService(supervisor.drafts(), tuner, new SpeculationTelemetry(meters),
                role -> relaunch(supervisor, registry, pool, role), System::currentTimeMillis, s.adapt());
    }

    /**
     * Relaunches the role's running servers with its current draft settings, one after another (each drains, is
     * relaunched and is waited for before the next), so a role with several instances keeps serving throughout;
     * stopped ones take the settings at their next start.
     */
    private static CompletableFuture<Void> relaunch(Supervisor supervisor, ModelRegistry registry, InstancePool pool,
            String role) {
        Duration ready = Duration.ofMillis(registry.requireRole(role).timeouts().loadMs());
        CompletableFuture<Void> rolling = CompletableFuture.completedFuture(null);
        for (ServerProcess p : supervisor.serversOf(role)) {
            if (p.external() || p.state() == ServerState.STOPPED || p.state() == ServerState.STOPPING) {
                continue;
            }
            rolling = rolling.thenCompose(v -> supervisor.reapplySpeculation(p.instanceId(), pool::idle))
                    .thenCompose(v -> p.awaitReady(ready).exceptionally(e -> null));
        }
        return rolling;
    }

    @Produces
    @Singleton
    PairingCheck pairingCheck(EchelonConfig config, ModelRegistry registry, Supervisor supervisor, OkHttpClient http,
            SpeculationService speculation, InstancePool pool) {
        return new PairingCheck(registry, supervisor, pool::idle, http, new ClientHealthProbe(http),
                Path.of(config.dataDir(), "speculation-pairs.json"), Path.of(config.modelsDir()),
                Duration.ofMillis(config.speculation().checkTimeoutMs()), speculation::behaviour);
    }
}
