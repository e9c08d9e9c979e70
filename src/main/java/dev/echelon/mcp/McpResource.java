package dev.echelon.mcp;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.function.Supplier;

/**
 * A read-only view Echelon offers MCP clients as a resource (JSON), read afresh on every request.
 *
 * @param uri  its address, {@code echelon://…}
 * @param read the current contents; runs on a worker thread
 */
public record McpResource(String uri, String name, String description, Supplier<JsonNode> read) {
}
