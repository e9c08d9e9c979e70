package dev.echelon.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Two API keys and memory on, in a data directory of its own (memories must not leak in from earlier runs). */
public class MemoryProfile implements QuarkusTestProfile {

    static final String KEY_A = "sk-memory-alpha";
    static final String KEY_B = "sk-memory-beta";
    static final String ADMIN_KEY = "adm-memory-secret";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.api-keys", KEY_A + "," + KEY_B,
                "orchestrator.admin-keys", ADMIN_KEY,
                "orchestrator.memory.enabled", "true",
                "orchestrator.data-dir", "target/test-data/memory-" + Long.toHexString(System.nanoTime()),
                "orchestrator.backend-port-base", "19600");
    }
}
