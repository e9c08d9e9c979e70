package dev.echelon.pipeline;

import dev.echelon.escalation.Budget;
import dev.echelon.escalation.CircuitBreakers;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.QualityGate;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.routing.Router;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the pipeline is assembled from (wired by {@link PipelineProducer}, or by hand in tests).
 *
 * @param residency the residency controller's view ({@link ResidencyView#NONE} without one)
 */
public record PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
        QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
        CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
        RecentOutcomes outcomes, ResidencyView residency) {

    /** Without a residency controller: every role serves where the registry launched it. */
    public PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
            QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
            CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
            RecentOutcomes outcomes) {
        this(registry, router, tasks, admission, gate, gateConfig, holdBackTokens, holdBackMs, policy, breakers,
                escalationLog, budget, metrics, outcomes, ResidencyView.NONE);
    }
}
