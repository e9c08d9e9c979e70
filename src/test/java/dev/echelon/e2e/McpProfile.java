package dev.echelon.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * API keys on, memory on (pure-Java index) and server-side tools on, so that MCP's authentication, memory tools and
 * run_code / web_fetch can be driven.
 */
public class McpProfile implements QuarkusTestProfile {

    static final String KEY = "sk-mcp-alpha";
    static final String OTHER_KEY = "sk-mcp-beta";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.api-keys", KEY + "," + OTHER_KEY,
                "orchestrator.memory.enabled", "true",
                "orchestrator.tools.enabled", "true",
                "orchestrator.memory.faiss", "false",
                "orchestrator.data-dir", "target/test-data/mcp-" + Long.toHexString(System.nanoTime()),
                "orchestrator.backend-port-base", "20000");
    }
}
