package dev.echelon.residency;

import java.util.Map;
import java.util.Set;

/**
 * What a policy sees when it decides: the time, where every role is, which roles are mid-transition, and how busy
 * each role is. The same record is filled by the live controller and by the simulator.
 *
 * @param nowSeconds seconds on the controller's clock (wall clock since start, or simulated time)
 * @param current    every managed role's settled placement, or for a role in {@code inTransit} the placement it
 *                   is moving to
 * @param inTransit  roles in S5: a transition runs; no policy may change them until it lands
 * @param inFlight   requests being served, per role
 * @param queued     requests waiting for a slot or for the role to load, per role
 * @param bound      of the queued, those only the role itself can take, per role: its fallback's context cannot hold
 *                   them (live only: the simulator's servers have no context limit). Substituting the role would
 *                   leave them nobody to serve them, and a substituted role with such requests must be loaded.
 */
public record Observation(double nowSeconds, Placement current, Set<String> inTransit, Map<String, Integer> inFlight,
        Map<String, Integer> queued, Map<String, Integer> bound) {

    public Observation {
        inTransit = Set.copyOf(inTransit);
        inFlight = Map.copyOf(inFlight);
        queued = Map.copyOf(queued);
        bound = Map.copyOf(bound);
    }

    /** A moment with no request bound to its role. */
    public Observation(double nowSeconds, Placement current, Set<String> inTransit, Map<String, Integer> inFlight,
            Map<String, Integer> queued) {
        this(nowSeconds, current, inTransit, inFlight, queued, Map.of());
    }

    public int bound(String role) {
        return bound.getOrDefault(role, 0);
    }

    public int inFlight(String role) {
        return inFlight.getOrDefault(role, 0);
    }

    public int queued(String role) {
        return queued.getOrDefault(role, 0);
    }

    /** The same moment as it will look once the transitions running now have landed (nobody in transit). */
    public Observation landed() {
        return inTransit.isEmpty() ? this : new Observation(nowSeconds, current, Set.of(), inFlight, queued, bound);
    }

    /** In flight or queued: demoting such a role would cut requests off, so guardrails refuse it. */
    public boolean busy(String role) {
        return inFlight(role) > 0 || queued(role) > 0;
    }
}
