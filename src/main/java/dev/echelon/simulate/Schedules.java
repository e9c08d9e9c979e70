package dev.echelon.simulate;

import dev.echelon.registry.ResidencyState;
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

    /** The share of the run's time each role spent in each state, for summaries. */
    public static Map<String, Map<ResidencyState, Double>> timeShares(RunResult run) {
        Map<String, Map<ResidencyState, Double>> out = new LinkedHashMap<>();
        double end = Math.max(run.endSeconds(), 1e-9);
        run.timeline().states().forEach((role, segs) -> {
            Map<ResidencyState, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < segs.size(); i++) {
                double from = segs.get(i).atSeconds();
                double to = i + 1 < segs.size() ? segs.get(i + 1).atSeconds() : end;
                m.merge(segs.get(i).state(), Math.max(0, to - from) / end, Double::sum);
            }
            out.put(role, m);
        });
        return out;
    }
}
