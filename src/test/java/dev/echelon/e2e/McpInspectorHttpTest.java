package dev.echelon.e2e;

import dev.echelon.TestBackends;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

/**
 * The MCP Inspector CLI ({@code @modelcontextprotocol/inspector@0.15.0 --cli}) against {@code /mcp} over Streamable
 * HTTP, on a server without API keys (the Inspector's CLI cannot send one; with keys it is refused, see
 * {@link McpHttpClientsTest}).
 */
@QuarkusTest
@TestProfile(ToolsProfile.class) // no API keys, server-side tools on
class McpInspectorHttpTest {

    @TestHTTPResource("/mcp")
    URL mcp;
    @Inject
    Supervisor supervisor;

    @Test
    void inspectorListsAndCallsEverything() throws Exception {
        NodeCommand.requireInstalled("@modelcontextprotocol/inspector");
        TestBackends.awaitAllReady(supervisor);
        new McpInspectorScenario(List.of("http://127.0.0.1:" + mcp.getPort() + "/mcp", "--transport", "http"),
                Map.of()).run();
    }
}
