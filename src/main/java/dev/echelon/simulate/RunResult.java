package dev.echelon.simulate;

import java.util.List;

/**
 * One policy replayed over one trace.
 *
 * @param outcomes        one per request of the trace, in trace order
 * @param transitions     transitions started (loads, evictions, reconfigurations)
 * @param bytesMoved      bytes read from NVMe plus bytes uploaded to the GPU by those transitions
 * @param refusals        decisions the physics refused in part: an over-budget target placement (the feasible part
 *                        is applied, the rest waits) or an inadmissible / illegal role placement (ignored)
 * @param decisions       policy calls (requests + ticks)
 * @param endSeconds      simulated time the replay ended (trace end, plus draining the last requests)
 * @param prepareSeconds  wall-clock seconds to build the policy (the optimum's solve time; ~0 for the others)
 * @param replaySeconds   wall-clock seconds of the replay itself
 * @param policySeconds   wall-clock seconds spent inside the policy's calls during the replay
 */
public record RunResult(String policy, Trace trace, List<RequestOutcome> outcomes, Timeline timeline,
        int transitions, long bytesMoved, int refusals, int decisions, double endSeconds, double prepareSeconds,
        double replaySeconds, double policySeconds) {

    public RunResult {
        outcomes = List.copyOf(outcomes);
    }

    public RunResult withPrepareSeconds(double seconds) {
        return new RunResult(policy, trace, outcomes, timeline, transitions, bytesMoved, refusals, decisions,
                endSeconds, seconds, replaySeconds, policySeconds);
    }
}
