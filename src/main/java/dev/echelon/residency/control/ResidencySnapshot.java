package dev.echelon.residency.control;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The live placement, immutable, as the controller publishes it for lock-free reading by the request path and
 * {@code /admin/residency}.
 *
 * @param settled   every managed role's last settled placement (for a role in transit: where it was)
 * @param moving    roles in S5: the transition under way, by role
 * @param pending   promotions decided but waiting for memory that demotions still hold (the role serves from its
 *                  settled placement meanwhile)
 * @param deferred  roles whose requests the policy asked to hold in their queues (no feasible placement serves them
 *                  without evicting a busy role)
 * @param atSeconds controller time of the last change
 */
public record ResidencySnapshot(Placement settled, Map<String, Transition> moving, Map<String, Transition> pending,
        Set<String> deferred, double atSeconds) {

    public ResidencySnapshot {
        moving = Map.copyOf(moving);
        pending = Map.copyOf(pending);
        deferred = Set.copyOf(deferred);
    }

    /** Where {@code role} is now: S5 (with the target's variant and layers) while it moves, else settled. */
    public RolePlacement live(String role) {
        Transition t = moving.get(role);
        if (t != null) {
            return new RolePlacement(ResidencyState.S5, t.to().variant(), t.to().gpuLayers());
        }
        return settled.of(role);
    }

    /** Every role's live placement, S5 for those moving. */
    public Placement live() {
        return settled.map((role, p) -> live(role));
    }

    /**
     * The memory held now: each settled role's footprint, and for a role moving the larger of where it was and where
     * it goes (what the actuator reserves for it until it lands). The settled placement alone would show a swap's
     * memory as free while both roles are in transit.
     */
    public Footprint reserved(ResidencyModel model) {
        Footprint total = Footprint.ZERO;
        for (Map.Entry<String, RolePlacement> e : settled.roles().entrySet()) {
            Transition t = moving.get(e.getKey());
            Footprint at = model.footprint(e.getKey(), e.getValue());
            if (t != null) {
                Footprint to = model.footprint(e.getKey(), t.to());
                at = new Footprint(Math.max(at.gpuBytes(), to.gpuBytes()), Math.max(at.hostBytes(), to.hostBytes()));
            }
            total = total.plus(at);
        }
        return total;
    }

    /** What a policy plans from: roles moving or pending shown at their target. */
    public Placement intended() {
        return settled.map((role, p) -> {
            Transition t = pending.containsKey(role) ? pending.get(role) : moving.get(role);
            return t == null ? p : t.to();
        });
    }

    /** Roles a policy may not change now: moving, or waiting for memory. */
    public Set<String> inTransit() {
        Set<String> s = new java.util.HashSet<>(moving.keySet());
        s.addAll(pending.keySet());
        return s;
    }

    ResidencySnapshot withMoving(Transition t, double now) {
        Map<String, Transition> m = new HashMap<>(moving);
        m.put(t.role(), t);
        Map<String, Transition> p = new HashMap<>(pending);
        p.remove(t.role());
        return new ResidencySnapshot(settled, m, p, deferred, now);
    }

    ResidencySnapshot withPending(Transition t, double now) {
        Map<String, Transition> p = new HashMap<>(pending);
        p.put(t.role(), t);
        return new ResidencySnapshot(settled, moving, p, deferred, now);
    }

    ResidencySnapshot withoutPending(String role, double now) {
        Map<String, Transition> p = new HashMap<>(pending);
        p.remove(role);
        return new ResidencySnapshot(settled, moving, p, deferred, now);
    }

    ResidencySnapshot landed(String role, RolePlacement at, double now) {
        Map<String, Transition> m = new HashMap<>(moving);
        m.remove(role);
        return new ResidencySnapshot(settled.with(role, at), m, pending, deferred, now);
    }

    ResidencySnapshot withDeferred(Set<String> roles, double now) {
        return roles.equals(deferred) ? this : new ResidencySnapshot(settled, moving, pending, roles, now);
    }
}
