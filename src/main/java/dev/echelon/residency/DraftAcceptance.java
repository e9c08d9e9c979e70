package dev.echelon.residency;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * What draft-model speculation achieves on a role, as far as residency decisions know it: the per-token acceptance α
 * of the role's draft. Live, it is what the speculation tuner has measured from the role's own generations; in a
 * simulation, it is part of the world the run is told to assume ({@code ./echelon simulate --draft-acceptance}). A
 * role with no figure is priced as if it decoded without its draft, which is what the plan assumed before anything
 * was measured.
 */
@FunctionalInterface
public interface DraftAcceptance {

    /** Nothing measured or assumed: every role is priced without speculation. */
    DraftAcceptance NONE = role -> OptionalDouble.empty();

    /** α of {@code role}'s draft, in [0, 1), or empty when there is no figure for it. */
    OptionalDouble alpha(String role);

    /**
     * The longest draft the speculation tuner may choose ({@code ORCHESTRATOR_SPECULATION_MAX_DRAFT}, default 16): a
     * role is priced at the best length for its α up to this one.
     */
    default int longestDraft() {
        return 16;
    }

    /** The same α for the roles named; none for the others. */
    static DraftAcceptance fixed(Map<String, Double> byRole) {
        Map<String, Double> copy = Map.copyOf(byRole);
        copy.forEach((role, a) -> {
            if (!(a >= 0 && a < 1)) {
                throw new IllegalArgumentException("acceptance of " + role + " must be in [0, 1): " + a);
            }
        });
        return role -> {
            Double a = copy.get(role);
            return a == null ? OptionalDouble.empty() : OptionalDouble.of(a);
        };
    }
}
