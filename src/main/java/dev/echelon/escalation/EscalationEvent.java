package dev.echelon.escalation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;

/**
 * One escalation decision, as written to the escalation log and shown by {@code /admin}.
 *
 * @param toRole      the role of the next attempt; {@code null} for give-up
 * @param action      {@link Action#name()}: retry, think_harder, escalate, fallback, give_up
 * @param category    the failure that prompted the decision
 * @param reason      the failure's detail, or the give-up reason
 * @param attempt     number of the failed attempt (1 = the first)
 * @param tokensSoFar tokens spent by the request up to and including the failed attempt
 * @param elapsedMs   time since the request started
 */
public record EscalationEvent(Instant timestamp, String requestId, String fromRole, String toRole, String action,
        ErrorCategory category, String reason, int attempt, long tokensSoFar, long elapsedMs) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public EscalationEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(action, "action");
        reason = reason == null ? "" : reason;
    }

    /** The event for the decision {@code action}, taken at {@code at} after the last attempt of {@code state} failed. */
    public static EscalationEvent of(Instant at, EscalationState state, ErrorCategory category, String failureReason,
            Action action) {
        String reason = action instanceof Action.GiveUp g ? g.reason() : failureReason;
        return new EscalationEvent(at, state.requestId(), state.currentRole().orElse(null),
                action.targetRole().orElse(null), action.name(), category, reason, state.attemptCount(),
                state.tokensUsed(), state.elapsed().toMillis());
    }

    /** One line of JSON (no line breaks; newlines inside strings are escaped). */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("timestamp", timestamp.toString());
        n.put("request_id", requestId);
        n.put("from_role", fromRole);
        n.put("to_role", toRole);
        n.put("action", action);
        n.put("category", category == null ? null : category.name());
        n.put("reason", reason);
        n.put("attempt", attempt);
        n.put("tokens_so_far", tokensSoFar);
        n.put("elapsed_ms", elapsedMs);
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a line written by {@link #toJson()}. */
    public static EscalationEvent fromJson(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return new EscalationEvent(Instant.parse(n.path("timestamp").asText()), text(n, "request_id"),
                    text(n, "from_role"), text(n, "to_role"), n.path("action").asText(),
                    n.hasNonNull("category") ? ErrorCategory.valueOf(n.get("category").asText()) : null,
                    text(n, "reason"), n.path("attempt").asInt(), n.path("tokens_so_far").asLong(),
                    n.path("elapsed_ms").asLong());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an escalation event: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
