package dev.echelon.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Server-side tools on (the shared test profile turns them off), with backends on ports of their own. */
public class ToolsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.tools.enabled", "true",
                "orchestrator.tools.max-rounds", "3",
                "orchestrator.sandbox.wall-clock-ms", "8000",
                "orchestrator.data-dir", "target/test-data/tools",
                "orchestrator.backend-port-base", "19700");
    }
}
