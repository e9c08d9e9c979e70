package dev.echelon.observe;

import io.quarkus.test.junit.QuarkusTestProfile;

import dev.echelon.residency.ResidencyShiftProfile;

import java.util.HashMap;
import java.util.Map;

/**
 * Mock mode over a registry where every observable thing happens under a short traffic run: the residency planner
 * moves weights when traffic reaches the expert, the front door speculates with a draft and is weak enough that hard
 * prompts escalate, and memory is on. A queue of one per role makes a burst meet 429s. Its own ports (19900) and
 * data directory keep it clear of other profiles.
 */
public class ObservabilityProfile implements QuarkusTestProfile {

    public static final String DATA_DIR = "target/observe-data/run-" + ProcessHandle.current().pid();

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> m = new HashMap<>(ResidencyShiftProfile.fastPlanner());
        m.put("orchestrator.registry-path", "src/test/resources/observe/observe-registry.yaml");
        m.put("orchestrator.backend-port-base", "19900");
        // the pipeline's per-request debug line, so the MDC test sees lines from every thread of a request
        m.put("quarkus.log.category.\"dev.echelon.pipeline\".level", "DEBUG");
        m.put("orchestrator.data-dir", DATA_DIR);
        m.put("orchestrator.memory.enabled", "true");
        m.put("orchestrator.api.max-queue-per-role", "1");
        return m;
    }
}
