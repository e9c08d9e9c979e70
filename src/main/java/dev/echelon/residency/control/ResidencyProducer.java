package dev.echelon.residency.control;

import dev.echelon.backend.InstancePool;
import dev.echelon.backend.PooledInstance;
import dev.echelon.config.ByteSize;
import dev.echelon.config.EchelonConfig;
import dev.echelon.cost.CostModel;
import dev.echelon.pipeline.Admission;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.plan.GuardrailSettings;
import dev.echelon.speculation.SpeculationService;
import dev.echelon.supervisor.Supervisor;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Wires the residency controller from the deployment settings and the registry. The request path (instance pool,
 * admission) is reached lazily: it reads the controller's snapshot, and the controller reads its load only once
 * running, so neither has to exist first.
 */
public class ResidencyProducer {

    private static final Logger LOG = Logger.getLogger(ResidencyProducer.class);

    @Produces
    @Singleton
    ResidencyController residency(EchelonConfig config, ModelRegistry registry, Supervisor supervisor,
            MeterRegistry metrics, Instance<InstancePool> pool, Instance<Admission> admission,
            Instance<SpeculationService> speculation) {
        EchelonConfig.Residency r = config.residency();
        Budgets budgets = new Budgets(
                r.gpuBytes().map(s -> ByteSize.parse("orchestrator.residency.gpu-bytes", s))
                        .orElse(registry.residency().gpuBytes()),
                r.hostRamBytes().map(s -> ByteSize.parse("orchestrator.residency.host-ram-bytes", s))
                        .orElse(registry.residency().hostRamBytes()));
        // a speculating role is priced at the speed its draft's measured acceptance gives it
        ResidencyModel model = ResidencyModel.of(registry, budgets, new CostModel())
                .withAcceptance(new MeasuredAcceptance(speculation::get, config.speculation().maxDraft()));
        ControllerClock clock = config.mockMode() ? ControllerClock.forTimeScale(config.mock().timeScale())
                : ControllerClock.wall();
        // dwell, window, cap and horizon from the settings; flap damping and the swap budget as the planner ships them
        PlannerConfig.Values planning = PlannerConfig.read(r);
        GuardrailSettings guards = planning.guardrails();
        ResidencyPolicy policy = ResidencyPolicies.create(r.policy(), model, new ResidencyPolicies.Settings(guards,
                planning.horizonSeconds(), seconds(r.tickMs()) * clock.speed(), OverflowConfig.read(r.overflow())));
        if (r.enabled() && !model.roles().isEmpty() && !model.fits(model.initialPlacement())) {
            LOG.warnf("the registry's launch placement does not fit the residency budgets (GPU %d, host %d bytes); "
                    + "the controller will move roles until it does", budgets.gpuBytes(), budgets.hostRamBytes());
        }
        Actuator.Settings actuation = new Actuator.Settings(
                role -> registry.role(role).map(x -> x.timeouts().loadMs()).orElse(120_000L),
                role -> registry.role(role).map(x -> x.timeouts().totalMs()).orElse(120_000L),
                Duration.ofMillis(config.supervisor().stopGraceMs()));
        ResidencyLedger ledger = new ResidencyLedger(Path.of(config.dataDir(), "residency-trace.jsonl"),
                r.traceMaxBytes(), 5, 200, metrics);
        return new ResidencyController(model, policy, guards, supervisor, actuation, new LazyLoad(pool, admission),
                ledger, clock, new ResidencyController.Settings(r.enabled(), r.tickMs(), r.transitionWaitMs()));
    }

    void close(@Disposes ResidencyController controller) {
        controller.close();
    }

    private static double seconds(long ms) {
        return ms / 1000.0;
    }

    /** In-flight requests from the instance pool, queued ones from admission; both looked up on first use. */
    private static final class LazyLoad implements ResidencyController.Load {
        private final Instance<InstancePool> poolRef;
        private final Instance<Admission> admissionRef;
        private volatile InstancePool pool;
        private volatile Admission admission;

        LazyLoad(Instance<InstancePool> pool, Instance<Admission> admission) {
            this.poolRef = pool;
            this.admissionRef = admission;
        }

        @Override
        public int inFlight(String role) {
            InstancePool p = pool;
            if (p == null) {
                pool = p = poolRef.get();
            }
            return p.of(role).stream().mapToInt(PooledInstance::inFlight).sum();
        }

        @Override
        public int queued(String role) {
            return admission().queued(role);
        }

        @Override
        public int bound(String role) {
            return admission().bound(role);
        }

        private Admission admission() {
            Admission a = admission;
            if (a == null) {
                admission = a = admissionRef.get();
            }
            return a;
        }
    }
}
