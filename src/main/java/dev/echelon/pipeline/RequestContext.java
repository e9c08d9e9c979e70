package dev.echelon.pipeline;

/**
 * Who asked and when. The request id follows the request into backend calls ({@code X-Request-Id}) and log lines.
 *
 * @param principal a stable, non-secret name for the API key used (its hash prefix), or {@code anonymous}
 */
public record RequestContext(String requestId, String principal, long receivedNanos) {
}
