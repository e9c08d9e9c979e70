package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged Echelon as an MCP server over stdio, started the way an MCP client starts it: the launcher
 * {@code mcp/echelon-mcp}, in mock mode. Driven by the MCP Inspector CLI (each call starts a server of its own, so
 * it checks the essentials) and by the MCP SDK client (one server, every tool and resource, malformed arguments).
 * The SDK's stdio transport fails on any line of stdout that is not an MCP message, so a passing run also shows
 * that nothing but protocol reaches stdout.
 */
class McpStdioIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LAUNCHER = Path.of("mcp/echelon-mcp");
    private static Map<String, String> env;
    /** The servers' data directory, removed after the class (each run left one behind in /tmp). */
    @TempDir
    static Path data;

    @BeforeAll
    static void environment() throws IOException {
        env = Map.of("ORCHESTRATOR_MOCK_MODE", "1",
                "ORCHESTRATOR_DATA_DIR", data.toString(),
                "ORCHESTRATOR_BACKEND_PORT_BASE", Integer.toString(EchelonProcess.freePort() + 1));
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is executable");
    }

    @Test
    void inspectorCliOverStdio() throws Exception {
        NodeCommand.requireInstalled("@modelcontextprotocol/inspector");
        List<String> target = List.of(LAUNCHER.toAbsolutePath().toString());
        JsonNode tools = McpInspector.result(concat(target, "--method", "tools/list"), env);
        assertEquals(McpInspectorScenario.TOOLS, StreamSupport.stream(tools.path("tools").spliterator(), false)
                .map(t -> t.path("name").asText()).sorted().toList());
        JsonNode resources = McpInspector.result(concat(target, "--method", "resources/list"), env);
        assertEquals(3, resources.path("resources").size(), resources.toString());
        JsonNode config = McpInspector.result(concat(target, "--method", "resources/read", "--uri",
                "echelon://config"), env);
        assertTrue(config.path("contents").path(0).path("text").asText().contains("frontdoor"));
        JsonNode run = McpInspector.result(concat(target, "--method", "tools/call", "--tool-name", "run_code",
                "--tool-arg", "language=python", "code=print(6 * 7 * 1001)"), env);
        assertFalse(run.path("isError").asBoolean(), run.toString());
        assertTrue(run.path("content").path(0).path("text").asText().contains("42042"), run.toString());
        JsonNode bad = McpInspector.result(concat(target, "--method", "tools/call", "--tool-name", "chat"), env);
        assertTrue(bad.path("isError").asBoolean(), "a missing argument is a tool error: " + bad);
        assertTrue(bad.path("content").path(0).path("text").asText().contains("prompt"), bad.toString());
    }

    @Test
    void officialSdkClientOverStdio() throws Exception {
        NodeCommand.requireInstalled("@modelcontextprotocol/sdk");
        NodeCommand run = NodeCommand.run(List.of("node", NodeCommand.NODE_DIR.resolve("mcp-client.mjs").toString(),
                "stdio", LAUNCHER.toAbsolutePath().toString()), env, 180);
        System.out.println("mcp-client.mjs (stdio): " + run.stdout());
        assertTrue(run.finished(), run.describe());
        assertEquals(0, run.exitCode(), run.describe());
        JsonNode summary = JSON.readTree(run.lastLine());
        assertTrue(summary.path("ok").asBoolean(), run.stdout());
        assertEquals(8, summary.path("tools").size());
        assertTrue(summary.path("results").path("memory").path("stored").asLong() > 0,
                "memory is on by default: " + summary.path("results"));
        assertTrue(summary.path("results").path("run_code").asText().contains("42042"));
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
