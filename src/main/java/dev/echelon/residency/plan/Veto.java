package dev.echelon.residency.plan;

import dev.echelon.residency.RolePlacement;

/** A change the planner wanted and the guardrails refused, with the reason (for the ledger's cause field). */
public record Veto(String role, RolePlacement from, RolePlacement wanted, Reason reason, String detail) {

    public enum Reason {
        /** the role is in S5; nothing changes until its transition lands */
        IN_TRANSIT,
        /** below the role's pinned floor state */
        PIN,
        /** a variant below the precision floor, or otherwise not admissible */
        PRECISION_FLOOR,
        /** no such edge on the ladder */
        ILLEGAL,
        /** the role changed less than the dwell time ago */
        DWELL,
        /** the anti-thrash window's cap is reached */
        WINDOW,
        /** no order of the remaining transitions keeps every intermediate placement within the budgets */
        BUDGET,
        /** requests wait that only this role can take (its fallback's context cannot hold them): not substituted */
        BOUND
    }

    @Override
    public String toString() {
        return role + " " + from + " → " + wanted + " vetoed (" + reason.name().toLowerCase() + ": " + detail + ")";
    }
}
