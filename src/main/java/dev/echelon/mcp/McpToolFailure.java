package dev.echelon.mcp;

/**
 * A tool call that cannot give its result, for a reason the calling agent should read and can act on (a role that
 * does not exist, memory turned off, a backend that is down). {@link McpCatalog} answers it as a tool error.
 */
public final class McpToolFailure extends RuntimeException {

    public McpToolFailure(String message) {
        super(message, null, false, false);
    }
}
