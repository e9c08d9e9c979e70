package dev.echelon.backend;

/**
 * The backend could not be reached or went away: connection refused/reset, unknown host, connection closed before or
 * during the response (including a stream that ended before its final event).
 */
public class BackendUnavailableException extends BackendException {

    public BackendUnavailableException(String instanceId, String baseUrl, String endpoint, String detail,
            Throwable cause) {
        super(instanceId, baseUrl, endpoint, detail, cause);
    }
}
