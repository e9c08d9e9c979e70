package dev.echelon.backend;

/**
 * A non-2xx answer (other than 503 "Loading model"), or an {@code error} event inside a stream. Carries the status
 * code and the server's {@code error.type} / {@code error.message} (OpenAI / llama-server error JSON) when present.
 */
public class BackendHttpException extends BackendException {

    private final int statusCode;
    private final String errorType;
    private final String serverMessage;
    private final String body;

    public BackendHttpException(String instanceId, String baseUrl, String endpoint, int statusCode, String errorType,
            String serverMessage, String body, String detail) {
        super(instanceId, baseUrl, endpoint, detail, null);
        this.statusCode = statusCode;
        this.errorType = errorType;
        this.serverMessage = serverMessage;
        this.body = body;
    }

    /** HTTP status (for a stream error event: the event's {@code error.code}, else 500). */
    public int statusCode() {
        return statusCode;
    }

    /** {@code error.type}, e.g. {@code invalid_request_error}, {@code server_error}; null if the body had none. */
    public String errorType() {
        return errorType;
    }

    /** {@code error.message}, or null. */
    public String serverMessage() {
        return serverMessage;
    }

    /** The raw response body (possibly truncated), or null. */
    public String body() {
        return body;
    }
}
