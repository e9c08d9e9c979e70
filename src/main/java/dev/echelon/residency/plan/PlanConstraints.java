package dev.echelon.residency.plan;

import java.util.Set;

/**
 * What the guardrails allow the planner to change, so that it optimises over moves that will be carried out instead
 * of planning moves that are vetoed afterwards.
 *
 * @param fixed      roles that must keep their current placement (in transit, within dwell, window exhausted)
 * @param noDemotion roles that may only stay or be promoted (busy: requests in flight or queued)
 */
public record PlanConstraints(Set<String> fixed, Set<String> noDemotion) {

    public static final PlanConstraints NONE = new PlanConstraints(Set.of(), Set.of());

    public PlanConstraints {
        fixed = Set.copyOf(fixed);
        noDemotion = Set.copyOf(noDemotion);
    }
}
