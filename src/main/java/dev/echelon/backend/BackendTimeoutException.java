package dev.echelon.backend;

import java.time.Duration;

/** A timeout; {@link #phase()} says which one fired. */
public class BackendTimeoutException extends BackendException {

    /** Which timeout fired. */
    public enum Phase {
        /** TCP connect did not complete within {@link BackendTimeouts#connect()}. */
        CONNECT,
        /** Connected and request sent, but no response headers within {@link BackendTimeouts#read()}. */
        FIRST_BYTE,
        /** Response started, but no further bytes within {@link BackendTimeouts#read()} (idle between bytes/events). */
        READ,
        /** The whole call exceeded {@link BackendTimeouts#total()}. */
        TOTAL
    }

    private final Phase phase;
    private final Duration timeout;

    public BackendTimeoutException(String instanceId, String baseUrl, String endpoint, Phase phase, Duration timeout,
            String detail, Throwable cause) {
        super(instanceId, baseUrl, endpoint, detail, cause);
        this.phase = phase;
        this.timeout = timeout;
    }

    public Phase phase() {
        return phase;
    }

    /** The configured timeout that expired. */
    public Duration timeout() {
        return timeout;
    }
}
