package dev.echelon.backend;

/** The backend answered, but not in the expected protocol: non-JSON body, unexpected JSON shape, malformed SSE event. */
public class BackendProtocolException extends BackendException {

    public BackendProtocolException(String instanceId, String baseUrl, String endpoint, String detail,
            Throwable cause) {
        super(instanceId, baseUrl, endpoint, detail, cause);
    }
}
