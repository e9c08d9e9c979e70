package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MCP Inspector's CLI mode ({@code mcp-inspector --cli TARGET… --method …}), pinned at 0.15.0 in src/test/node. */
final class McpInspector {

    private static final ObjectMapper JSON = new ObjectMapper();

    private McpInspector() {
    }

    static NodeCommand run(List<String> args) throws IOException, InterruptedException {
        return run(args, Map.of());
    }

    static NodeCommand run(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("node", NodeCommand.NODE_DIR.resolve(
                "node_modules/@modelcontextprotocol/inspector/cli/build/cli.js").toString(), "--cli"));
        cmd.addAll(args);
        return NodeCommand.run(cmd, env, 120);
    }

    /** Runs it and returns the JSON result it printed, failing the test when it did not succeed. */
    static JsonNode result(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        NodeCommand run = run(args, env);
        assertTrue(run.finished(), run.describe());
        assertEquals(0, run.exitCode(), run.describe());
        int start = run.stdout().indexOf('{');
        assertTrue(start >= 0, "a JSON result: " + run.describe());
        return JSON.readTree(run.stdout().substring(start));
    }
}
