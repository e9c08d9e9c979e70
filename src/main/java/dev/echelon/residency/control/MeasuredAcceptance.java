package dev.echelon.residency.control;

import dev.echelon.residency.DraftAcceptance;
import dev.echelon.speculation.SpeculationService;

import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The live controller's {@link DraftAcceptance}: what the speculation tuner has measured from each role's own
 * generations ({@link SpeculationService#measuredAcceptance}), so the planner prices a speculating role at the speed
 * it actually decodes. Rounded to {@link #STEP}: the tuner's estimate moves a little with every generation, and each
 * move would drop the planner's cached service times of the role.
 */
final class MeasuredAcceptance implements DraftAcceptance {

    /** The resolution of the α the planner sees. */
    static final double STEP = 0.02;

    private final Supplier<SpeculationService> speculation;
    private final int longestDraft;
    private volatile SpeculationService resolved;

    /**
     * @param speculation  looked up on first use (the speculation service is wired after the controller)
     * @param longestDraft the tuner's longest draft ({@code ORCHESTRATOR_SPECULATION_MAX_DRAFT})
     */
    MeasuredAcceptance(Supplier<SpeculationService> speculation, int longestDraft) {
        this.speculation = speculation;
        this.longestDraft = longestDraft;
    }

    @Override
    public OptionalDouble alpha(String role) {
        SpeculationService s = resolved;
        if (s == null) {
            resolved = s = speculation.get();
        }
        OptionalDouble a = s.measuredAcceptance(role);
        if (a.isEmpty()) {
            return a;
        }
        return OptionalDouble.of(Math.min(1 - STEP, Math.round(a.getAsDouble() / STEP) * STEP));
    }

    @Override
    public int longestDraft() {
        return longestDraft;
    }
}
