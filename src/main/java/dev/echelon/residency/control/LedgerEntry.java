package dev.echelon.residency.control;

import dev.echelon.registry.ResidencyState;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One finished residency transition, as the ledger keeps it: the vOrchestrate trace fields (step, unit, score,
 * old/new state, action, bytes moved, pressure) plus what Echelon adds — variant and GPU layers, planned against
 * actual duration, the drain before it, the cause and the outcome.
 *
 * @param step         sequence number of the transition since start
 * @param unit         the role whose weights moved
 * @param score        the policy's score for the role or the plan's cost, when the policy gives one
 * @param action       what the supervisor did: start, stage+start, relaunch, stop or none (S4 ↔ S6 moves nothing)
 * @param newState     where the role landed (the target, or on failure the placement it fell back to)
 * @param plannedMs    the cost model's duration, on the controller's clock
 * @param actualMs     measured from the supervisor action's start until the role served (or stopped), on the
 *                     controller's clock (wall time × its speed: comparable with {@code plannedMs} in mock mode)
 * @param wallMs       the same, in wall-clock milliseconds
 * @param drainMs      wall-clock time spent letting requests in flight finish before the action
 * @param gpuPressure  fraction of the GPU budget the live placement uses after the transition
 * @param hostPressure fraction of the host-RAM budget, likewise
 * @param outcome      {@code ok}, or {@code failed: …} with where it fell back to
 */
public record LedgerEntry(long step, Instant at, String unit, String policy, String cause, Double score,
        ResidencyState oldState, ResidencyState newState, String oldVariant, String variant, int gpuLayers,
        String action, long bytesMoved, double plannedMs, double actualMs, double wallMs, long drainMs,
        double gpuPressure, double hostPressure, String outcome) {

    public boolean ok() {
        return "ok".equals(outcome);
    }

    /** The JSONL line's fields, in a stable order; field names are snake_case as in the vOrchestrate trace. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("timestamp", at.toString());
        m.put("unit", unit);
        m.put("policy", policy);
        m.put("cause", cause);
        m.put("score", score);
        m.put("old_state", oldState.name());
        m.put("new_state", newState.name());
        m.put("old_variant", oldVariant);
        m.put("variant", variant);
        m.put("gpu_layers", gpuLayers);
        m.put("action", action);
        m.put("bytes_moved", bytesMoved);
        m.put("planned_ms", Math.round(plannedMs * 10) / 10.0);
        m.put("actual_ms", Math.round(actualMs * 10) / 10.0);
        m.put("wall_ms", Math.round(wallMs * 10) / 10.0);
        m.put("drain_ms", drainMs);
        m.put("pressure", Math.round(gpuPressure * 10_000) / 10_000.0);
        m.put("host_pressure", Math.round(hostPressure * 10_000) / 10_000.0);
        m.put("outcome", outcome);
        return m;
    }
}
