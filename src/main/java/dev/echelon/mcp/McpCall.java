package dev.echelon.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/**
 * One MCP tool call: its checked arguments and who made it.
 *
 * @param arguments the call's arguments, already checked against the tool's schema
 * @param principal who is calling: the API key's principal over HTTP (as on {@code /v1}, so memory is the same
 *                  per key over both), {@code anonymous} where no keys are set and over stdio
 * @param requestId an id for logs and for the pipeline ({@code mcp_…})
 */
public record McpCall(ObjectNode arguments, String principal, String requestId) {

    public String string(String name) {
        return arguments.path(name).asText();
    }

    public Optional<String> optionalString(String name) {
        JsonNode n = arguments.get(name);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    public int integer(String name, int orElse) {
        JsonNode n = arguments.get(name);
        return n == null || n.isNull() ? orElse : n.asInt();
    }

    public double number(String name, double orElse) {
        JsonNode n = arguments.get(name);
        return n == null || n.isNull() ? orElse : n.asDouble();
    }
}
