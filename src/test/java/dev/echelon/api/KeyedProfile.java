package dev.echelon.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** API keys on, a small body limit and short queues, so that limits can be hit quickly in tests. */
public class KeyedProfile implements QuarkusTestProfile {

    static final String KEY = "sk-test-alpha";
    static final String OTHER_KEY = "sk-test-beta";
    static final String ADMIN_KEY = "adm-test-secret";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.api-keys", KEY + "," + OTHER_KEY,
                "orchestrator.admin-keys", ADMIN_KEY,
                "orchestrator.api.max-body-bytes", "65536",
                "orchestrator.api.max-queue-per-role", "2",
                "orchestrator.api.max-queue-wait-ms", "20000",
                "orchestrator.api.keep-alive-ms", "50",
                "orchestrator.backend-port-base", "19200");
    }
}
