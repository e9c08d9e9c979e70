package dev.echelon.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one tool call gave back. {@code content} is what the model reads in the {@code tool} message; an error is a
 * result too, fed back to the model so it can correct itself, never an exception to the client.
 *
 * @param outcome how the call ended, for {@code x_echelon.tools} and the {@code echelon_tool_calls_total} metric
 * @param limit   the sandbox limit a run hit ({@link LimitHit#NONE} for anything else)
 * @param details structured facts for metrics and logs (exit code, bytes, status), never shown to clients raw
 */
public record ToolResult(boolean ok, Outcome outcome, LimitHit limit, String content, ObjectNode details) {

    /** How a call ended. */
    public enum Outcome {
        /** The tool ran and did its job. */
        OK,
        /** The call was wrong (bad arguments, unknown tool) or the tool failed; nothing was refused by policy. */
        ERROR,
        /** Policy refused it: the sandbox cannot be built, a URL is forbidden, the deadline leaves no time. */
        REFUSED,
        /** It ran into a sandbox limit ({@link ToolResult#limit()} says which). */
        LIMIT
    }

    public ToolResult {
        if (outcome == null || limit == null || content == null) {
            throw new NullPointerException("outcome, limit and content are required");
        }
        details = details == null ? JsonNodeFactory.instance.objectNode() : details;
    }

    public static ToolResult ok(String content, ObjectNode details) {
        return new ToolResult(true, Outcome.OK, LimitHit.NONE, content, details);
    }

    public static ToolResult error(String content) {
        return new ToolResult(false, Outcome.ERROR, LimitHit.NONE, content, null);
    }

    public static ToolResult refused(String content) {
        return new ToolResult(false, Outcome.REFUSED, LimitHit.NONE, content, null);
    }

    /** The metric's outcome tag: ok, error, refused, or the limit's name (wall_clock, memory, …). */
    public String outcomeTag() {
        return outcome == Outcome.LIMIT ? limit.name().toLowerCase(java.util.Locale.ROOT)
                : outcome.name().toLowerCase(java.util.Locale.ROOT);
    }
}
