package dev.echelon.backend;

/** HTTP 503 {@code {"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}}: the model is still loading. */
public class BackendLoadingException extends BackendException {

    private final String serverMessage;

    public BackendLoadingException(String instanceId, String baseUrl, String endpoint, String serverMessage) {
        super(instanceId, baseUrl, endpoint, "backend is loading (HTTP 503: " + serverMessage + ")", null);
        this.serverMessage = serverMessage;
    }

    /** The server's {@code error.message}, e.g. {@code Loading model}. */
    public String serverMessage() {
        return serverMessage;
    }
}
