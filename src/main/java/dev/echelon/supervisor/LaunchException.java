package dev.echelon.supervisor;

/** A server could not be started at all. */
public final class LaunchException extends RuntimeException {

    private final String instanceId;

    public LaunchException(String instanceId, String message, Throwable cause) {
        super("instance " + instanceId + ": " + message, cause);
        this.instanceId = instanceId;
    }

    public String instanceId() {
        return instanceId;
    }
}
