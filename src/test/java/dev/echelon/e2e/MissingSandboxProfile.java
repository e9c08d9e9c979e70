package dev.echelon.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Tools on, but the sandbox launcher points where nothing is: bubblewrap is as good as missing. */
public class MissingSandboxProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.tools.enabled", "true",
                "orchestrator.sandbox.launcher", "no-such-dir/run-sandboxed",
                "orchestrator.data-dir", "target/test-data/tools-missing-sandbox",
                "orchestrator.backend-port-base", "19800");
    }
}
