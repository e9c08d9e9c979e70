package dev.echelon.simulate;

import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a replay did to memory over time: each role's state (S5 while a transition runs), the memory reserved on the
 * GPU and in host RAM, and every transition started. Written by the simulator, read by metrics, plots and tests.
 */
public final class Timeline {

    /** From {@code atSeconds} on, the role was in {@code state} (the settled placement, or S5 with its target). */
    public record Segment(double atSeconds, ResidencyState state, RolePlacement placement) {
    }

    /** Memory reserved from {@code atSeconds} on (a transition reserves the larger of its two ends). */
    public record Pressure(double atSeconds, long gpuBytes, long hostBytes) {
    }

    /** A transition as started: when, and what the cost model priced it at. */
    public record Change(double atSeconds, Transition transition) {
    }

    private final Map<String, List<Segment>> states = new LinkedHashMap<>();
    private final List<Pressure> pressure = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();

    Timeline(List<String> roles) {
        roles.forEach(r -> states.put(r, new ArrayList<>()));
    }

    void state(double t, String role, ResidencyState s, RolePlacement p) {
        List<Segment> l = states.get(role);
        if (!l.isEmpty() && l.get(l.size() - 1).atSeconds() == t) {
            l.remove(l.size() - 1);
        }
        if (l.isEmpty() || !(l.get(l.size() - 1).state() == s && l.get(l.size() - 1).placement().equals(p))) {
            l.add(new Segment(t, s, p));
        }
    }

    void pressure(double t, Footprint f) {
        if (!pressure.isEmpty() && pressure.get(pressure.size() - 1).atSeconds() == t) {
            pressure.remove(pressure.size() - 1);
        }
        if (pressure.isEmpty() || pressure.get(pressure.size() - 1).gpuBytes() != f.gpuBytes()
                || pressure.get(pressure.size() - 1).hostBytes() != f.hostBytes()) {
            pressure.add(new Pressure(t, f.gpuBytes(), f.hostBytes()));
        }
    }

    void change(double t, Transition tr) {
        changes.add(new Change(t, tr));
    }

    public Map<String, List<Segment>> states() {
        return states;
    }

    public List<Pressure> pressure() {
        return pressure;
    }

    public List<Change> changes() {
        return changes;
    }

    /** The role's state at time t. */
    public Segment stateAt(String role, double t) {
        Segment at = null;
        for (Segment s : states.get(role)) {
            if (s.atSeconds() > t) {
                break;
            }
            at = s;
        }
        return at;
    }
}
