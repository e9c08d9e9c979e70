package dev.echelon.residency.plan;

import dev.echelon.residency.Placement;
import dev.echelon.residency.Transition;

import java.util.List;

/**
 * What the guardrails let through.
 *
 * @param target      the placement after {@code transitions}, in order
 * @param transitions the moves to carry out, in this order: demotions and stops first, so that every intermediate
 *                    placement fits the budgets
 * @param deferred    roles with waiting requests that cannot be served in {@code target}: their requests stay queued;
 *                    lowest priority first
 * @param vetoes      what the planner wanted and did not get, and why
 */
public record GuardedPlan(Placement target, List<Transition> transitions, List<String> deferred, List<Veto> vetoes) {

    public GuardedPlan {
        transitions = List.copyOf(transitions);
        deferred = List.copyOf(deferred);
        vetoes = List.copyOf(vetoes);
    }
}
