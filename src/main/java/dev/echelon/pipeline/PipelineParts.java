package dev.echelon.pipeline;

import dev.echelon.escalation.Budget;
import dev.echelon.escalation.CircuitBreakers;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.QualityGate;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.routing.Router;
import dev.echelon.speculation.SpeculationService;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the pipeline is assembled from (wired by {@link PipelineProducer}, or by hand in tests).
 *
 * @param residency   the residency controller's view ({@link ResidencyView#NONE} without one)
 * @param speculation draft lengths per request and speculation telemetry ({@link SpeculationService#disabled()})
 */
public record PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
        QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
        CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
        RecentOutcomes outcomes, ResidencyView residency, SpeculationService speculation) {

    /** Without speculation control: servers draft what their flags say, nothing is adapted. */
    public PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
            QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
            CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
            RecentOutcomes outcomes, ResidencyView residency) {
        this(registry, router, tasks, admission, gate, gateConfig, holdBackTokens, holdBackMs, policy, breakers,
                escalationLog, budget, metrics, outcomes, residency, SpeculationService.disabled());
    }

    /** Without a residency controller: every role serves where the registry launched it. */
    public PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
            QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
            CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
            RecentOutcomes outcomes) {
        this(registry, router, tasks, admission, gate, gateConfig, holdBackTokens, holdBackMs, policy, breakers,
                escalationLog, budget, metrics, outcomes, ResidencyView.NONE);
    }
}
