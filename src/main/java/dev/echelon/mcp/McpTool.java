package dev.echelon.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkiverse.mcp.server.ToolResponse;

/**
 * One of Echelon's MCP tools: its name, what it does (for the agent's model), the JSON schema of its arguments, and
 * the call. {@link McpCatalog} registers every bean of this type with the MCP server, checks the arguments against
 * {@link #inputSchema()} before {@link #call} runs, and turns a {@link McpToolFailure} into a tool error
 * ({@code isError: true}) — never a protocol failure.
 */
public interface McpTool {

    String name();

    String description();

    /** A JSON schema of type {@code object}: properties, required, bounds, {@code additionalProperties: false}. */
    ObjectNode inputSchema();

    /** Runs on a worker thread, with arguments that satisfy {@link #inputSchema()}. */
    ToolResponse call(McpCall call);
}
