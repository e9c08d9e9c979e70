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
 */
public record Observation(double nowSeconds, Placement current, Set<String> inTransit, Map<String, Integer> inFlight,
        Map<String, Integer> queued) {

    public Observation {
        inTransit = Set.copyOf(inTransit);
        inFlight = Map.copyOf(inFlight);
        queued = Map.copyOf(queued);
    }

    public int inFlight(String role) {
        return inFlight.getOrDefault(role, 0);
    }

    public int queued(String role) {
        return queued.getOrDefault(role, 0);
    }

    /** The same moment as it will look once the transitions running now have landed (nobody in transit). */
    public Observation landed() {
        return inTransit.isEmpty() ? this : new Observation(nowSeconds, current, Set.of(), inFlight, queued);
    }

    /** In flight or queued: demoting such a role would cut requests off, so guardrails refuse it. */
    public boolean busy(String role) {
        return inFlight(role) > 0 || queued(role) > 0;
    }
}
