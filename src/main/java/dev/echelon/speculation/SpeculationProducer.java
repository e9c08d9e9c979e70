package dev.echelon.speculation;

import dev.echelon.backend.InstancePool;
import dev.echelon.config.EchelonConfig;
import dev.echelon.cost.CostModel;
import dev.echelon.registry.DraftPairing;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.supervisor.ClientHealthProbe;
import dev.echelon.supervisor.Supervisor;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import okhttp3.OkHttpClient;

import java.nio.file.Path;
import java.time.Duration;

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
                role -> supervisor.reapplySpeculationOf(role, pool::idle), System::currentTimeMillis, s.adapt());
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
