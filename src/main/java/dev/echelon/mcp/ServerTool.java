package dev.echelon.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.tools.Tool;
import dev.echelon.tools.ToolContext;
import dev.echelon.tools.ToolRegistry;
import dev.echelon.tools.ToolResult;
import io.quarkiverse.mcp.server.ToolResponse;

import java.time.Duration;

/**
 * One of Echelon's server-side tools ({@code run_code}, {@code web_fetch}: the beans the Pipeline's tool loop offers
 * models) offered to MCP agents as well, through the same {@link ToolRegistry#call}: the same sandbox, the same
 * SSRF policy, the same metrics. A result that is not ok (a limit hit, a refused address, a failed program) is a tool
 * error whose text says what happened.
 */
final class ServerTool implements McpTool {

    /** An agent's call has no chat request around it: the sandbox's own wall-clock limit is the binding one. */
    private static final Duration NO_REQUEST_DEADLINE = Duration.ofMinutes(10);

    private final Tool tool;
    private final ToolRegistry registry;

    ServerTool(Tool tool, ToolRegistry registry) {
        this.tool = tool;
        this.registry = registry;
    }

    @Override
    public String name() {
        return tool.name();
    }

    @Override
    public String description() {
        return tool.description();
    }

    @Override
    public ObjectNode inputSchema() {
        return tool.parameters();
    }

    @Override
    public ToolResponse call(McpCall call) {
        ToolResult result = registry.call(tool, call.arguments().toString(),
                new ToolContext(call.requestId(), "mcp", NO_REQUEST_DEADLINE));
        return result.ok() ? ToolResponse.success(result.content()) : ToolResponse.error(result.content());
    }
}
