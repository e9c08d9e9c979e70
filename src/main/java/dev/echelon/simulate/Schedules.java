package dev.echelon.simulate;

import dev.echelon.residency.Placement;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a replay's timeline back as a schedule: the placement at each window's start (a role in S5 at its target). */
public final class Schedules {

    private Schedules() {
    }

    public static List<Placement> perWindow(RunResult run, double windowSeconds, int windows) {
        List<Placement> out = new ArrayList<>(windows);
        for (int w = 0; w < windows; w++) {
            double t = w * windowSeconds;
            Map<String, RolePlacement> m = new LinkedHashMap<>();
            run.timeline().states().keySet().forEach(role -> {
                Timeline.Segment s = run.timeline().stateAt(role, t);
                m.put(role, s.placement());
            });
            out.add(new Placement(m));
        }
        return out;
    }
}
