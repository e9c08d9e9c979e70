package dev.echelon.tools;

import java.time.Duration;

/**
 * Who calls a tool and how long it may take.
 *
 * @param remaining what is left of the request's deadline: no tool may run longer (the sandbox's wall clock is cut
 *                  to it)
 */
public record ToolContext(String requestId, String role, Duration remaining) {

    public ToolContext {
        if (remaining == null) {
            throw new NullPointerException("remaining is required");
        }
    }
}
