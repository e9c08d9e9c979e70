package dev.echelon.residency;

import java.util.Set;

/**
 * A policy's answer: the placement it wants now, why, and which roles' requests should wait in their queues
 * because no feasible placement serves them without evicting a busy role.
 */
public record Decision(Placement target, String cause, Set<String> deferred) {

    public Decision {
        deferred = Set.copyOf(deferred);
    }

    public static Decision keep(Placement current, String cause) {
        return new Decision(current, cause, Set.of());
    }
}
