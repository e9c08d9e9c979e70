package dev.echelon.pipeline;

import java.util.OptionalLong;

/**
 * A request that Echelon will not or cannot serve, with everything a client needs: the HTTP status, an OpenAI-style
 * error type and code, the request field at fault and, for temporary conditions, when to retry. Thrown anywhere on
 * the request path; the API turns it into {@code {"error":{"message","type","param","code"}}}.
 */
public final class Rejection extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final long retryAfterSeconds;

    private Rejection(int status, String type, String code, String param, String message, long retryAfterSeconds,
            Throwable cause) {
        super(message, cause, false, false); // a rejection is an answer, not a bug: no stack trace
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request is malformed; {@code param} names the field. */
    public static Rejection invalid(String param, String message) {
        return new Rejection(400, "invalid_request_error", "invalid_value", param, message, -1, null);
    }

    public static Rejection invalid(String param, String code, String message) {
        return new Rejection(400, "invalid_request_error", code, param, message, -1, null);
    }

    /** 404 for a {@code model} that names nothing. */
    public static Rejection unknownModel(String message) {
        return new Rejection(404, "invalid_request_error", "model_not_found", "model", message, -1, null);
    }

    public static Rejection notFound(String message) {
        return new Rejection(404, "invalid_request_error", "not_found", null, message, -1, null);
    }

    public static Rejection tooLarge(long limit) {
        return new Rejection(413, "invalid_request_error", "request_too_large", null,
                "Request body exceeds the limit of " + limit + " bytes", -1, null);
    }

    public static Rejection unauthorized(String message) {
        return new Rejection(401, "invalid_request_error", "invalid_api_key", null, message, -1, null);
    }

    /** 429: the role's queue is full. */
    public static Rejection overloaded(String role, int queued, long retryAfterSeconds) {
        return new Rejection(429, "rate_limit_error", "rate_limit_exceeded", null, "Role '" + role
                + "' is at capacity (" + queued + " requests queued); retry after " + retryAfterSeconds + " s",
                retryAfterSeconds, null);
    }

    /** 503: Echelon is stopping; nothing else should be tried. */
    public static Rejection shuttingDown(String message) {
        return new Rejection(503, "server_error", "shutting_down", null, message, 5, null);
    }

    /** 503: nothing can serve the request now. */
    public static Rejection unavailable(String message, long retryAfterSeconds) {
        return new Rejection(503, "server_error", "service_unavailable", null, message, retryAfterSeconds, null);
    }

    /**
     * 503 for a request still waiting in line for a role the residency controller has just substituted (S6): the
     * pipeline hands it to the role's fallback at once (as it would after a wait for a held role ran out); it reaches
     * a client only if that fails too.
     */
    public static Rejection handedOver(String message) {
        return new Rejection(503, "server_error", HANDED_OVER, null, message, 1, null);
    }

    /** The code of {@link #handedOver}. */
    public static final String HANDED_OVER = "handed_over";

    /** 502/504 or the backend's own 4xx: a backend call failed. */
    public static Rejection backend(int status, String type, String code, String message, Throwable cause) {
        return new Rejection(status, type, code, null, message, status == 503 ? 2 : -1, cause);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }

    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }
}
