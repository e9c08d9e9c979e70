package dev.echelon.pipeline;

import dev.echelon.escalation.Budget;
import dev.echelon.memory.MemoryService;
import dev.echelon.escalation.CircuitBreakers;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.escalation.EscalationPolicy;
import dev.echelon.quality.GateConfig;
import dev.echelon.quality.QualityGate;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.routing.Router;
import dev.echelon.speculation.SpeculationService;
import dev.echelon.tools.ToolRegistry;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Optional;

/**
 * What the pipeline is assembled from (wired by {@link PipelineProducer}, or by hand in tests).
 *
 * @param residency   the residency controller's view ({@link ResidencyView#NONE} without one)
 * @param speculation draft lengths per request and speculation telemetry ({@link SpeculationService#disabled()})
 * @param memory      contextual memory (recall into requests, record served exchanges); empty when it is off
 * @param tools       Echelon's server-side tools and which role may call which ({@link ToolRegistry#none()})
 */
public record PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
        QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
        CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
        RecentOutcomes outcomes, ResidencyView residency, SpeculationService speculation,
        Optional<MemoryService> memory, ToolRegistry tools) {

    /** Without server-side tools: tool calls all go to the client. */
    public PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
            QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
            CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
            RecentOutcomes outcomes, ResidencyView residency, SpeculationService speculation,
            Optional<MemoryService> memory) {
        this(registry, router, tasks, admission, gate, gateConfig, holdBackTokens, holdBackMs, policy, breakers,
                escalationLog, budget, metrics, outcomes, residency, speculation, memory, ToolRegistry.none());
    }

    /** Without memory: nothing is recalled or remembered. */
    public PipelineParts(ModelRegistry registry, Router router, TaskRouter tasks, Admission admission,
            QualityGate gate, GateConfig gateConfig, int holdBackTokens, long holdBackMs, EscalationPolicy policy,
            CircuitBreakers breakers, EscalationLog escalationLog, Budget budget, MeterRegistry metrics,
            RecentOutcomes outcomes, ResidencyView residency, SpeculationService speculation) {
        this(registry, router, tasks, admission, gate, gateConfig, holdBackTokens, holdBackMs, policy, breakers,
                escalationLog, budget, metrics, outcomes, residency, speculation, Optional.empty());
    }

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
