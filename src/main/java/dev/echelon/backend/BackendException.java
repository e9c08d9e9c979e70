package dev.echelon.backend;

import java.util.Objects;

/**
 * Base of every failure talking to one llama-server instance. The message always names the instance, its base URL and
 * the endpoint, e.g. {@code instance coder-0 (http://127.0.0.1:18102) POST /completion: timed out after 2000 ms
 * waiting for the first byte}.
 */
public abstract class BackendException extends RuntimeException {

    private final String instanceId;
    private final String baseUrl;
    private final String endpoint;
    private final String detail;

    protected BackendException(String instanceId, String baseUrl, String endpoint, String detail, Throwable cause) {
        super(format(instanceId, baseUrl, endpoint, detail), cause);
        this.instanceId = instanceId;
        this.baseUrl = baseUrl;
        this.endpoint = endpoint;
        this.detail = detail;
    }

    static String format(String instanceId, String baseUrl, String endpoint, String detail) {
        return "instance " + instanceId + " (" + baseUrl + ") " + endpoint + ": " + Objects.toString(detail, "failed");
    }

    /** Id of the backend instance the call went to. */
    public String instanceId() {
        return instanceId;
    }

    /** Base URL of the instance, without trailing slash, e.g. {@code http://127.0.0.1:18102}. */
    public String baseUrl() {
        return baseUrl;
    }

    /** Method and path, e.g. {@code POST /completion}. */
    public String endpoint() {
        return endpoint;
    }

    /** The message without the instance/endpoint prefix. */
    public String detail() {
        return detail;
    }
}
