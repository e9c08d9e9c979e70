package dev.echelon.observe;

import io.quarkus.test.junit.QuarkusTestProfile;

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
        return Map.ofEntries(
                Map.entry("orchestrator.registry-path", "src/test/resources/observe/observe-registry.yaml"),
                Map.entry("orchestrator.backend-port-base", "19900"),
                // the pipeline's per-request debug line, so the MDC test sees lines from every thread of a request
                Map.entry("quarkus.log.category.\"dev.echelon.pipeline\".level", "DEBUG"),
                Map.entry("orchestrator.data-dir", DATA_DIR),
                Map.entry("orchestrator.memory.enabled", "true"),
                Map.entry("orchestrator.api.max-queue-per-role", "1"),
                Map.entry("orchestrator.residency.enabled", "true"),
                Map.entry("orchestrator.residency.policy", "planner"),
                Map.entry("orchestrator.residency.tick-ms", "100"),
                Map.entry("orchestrator.residency.min-dwell-ms", "10000"),
                Map.entry("orchestrator.residency.max-transitions", "8"),
                Map.entry("orchestrator.residency.transition-window-ms", "60000"),
                Map.entry("orchestrator.residency.horizon-s", "60"),
                Map.entry("orchestrator.residency.transition-wait-ms", "10000"));
    }
}
