package dev.echelon.residency;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.HashMap;
import java.util.Map;

/**
 * Mock mode with the residency planner on, over a two-role registry (front door A, expert B) whose GPU budget cannot
 * hold both fully. Fake time runs 20× fast and the controller's clock with it, so the planner's 60 s horizon is 3 s of
 * wall time. Its own data directory per run keeps the trace of earlier runs out of the assertions; its own backend
 * ports keep it clear of the shared test profile's.
 */
public class ResidencyShiftProfile implements QuarkusTestProfile {

    static final double TIME_SCALE = 0.05;
    static final double HORIZON_S = 60;
    static final String DATA_DIR = "target/residency-shift-data/run-" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(fastPlanner());
        m.put("orchestrator.registry-path", "src/test/resources/residency/shift-registry.yaml");
        m.put("orchestrator.backend-port-base", "19500");
        m.put("orchestrator.data-dir", DATA_DIR);
        m.put("orchestrator.mock.time-scale", Double.toString(TIME_SCALE));
        return m;
    }

    /**
     * The residency planner on, ticking every 100 ms with a 60 s horizon, 10 s dwell and at most 8 transitions a
     * minute: under mock time it reacts to a traffic shift within a test's few seconds.
     */
    public static Map<String, String> fastPlanner() {
        return Map.ofEntries(
                Map.entry("orchestrator.residency.enabled", "true"),
                Map.entry("orchestrator.residency.policy", "planner"),
                Map.entry("orchestrator.residency.tick-ms", "100"),
                Map.entry("orchestrator.residency.min-dwell-ms", "10000"),
                Map.entry("orchestrator.residency.max-transitions", "8"),
                Map.entry("orchestrator.residency.transition-window-ms", "60000"),
                Map.entry("orchestrator.residency.horizon-s", Double.toString(HORIZON_S)),
                Map.entry("orchestrator.residency.transition-wait-ms", "10000"));
    }
}
