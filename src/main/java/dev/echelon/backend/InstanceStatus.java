package dev.echelon.backend;

/** Whether a backend instance can take requests now, soon, or not at all. */
public enum InstanceStatus {
    /** Answering {@code /health} with 200. */
    READY,
    /** Starting or loading its model: worth waiting for. */
    WARMING,
    /**
     * Held by the residency controller without a server that takes requests: on NVMe only, being moved, or
     * substituted. Worth a bounded wait (the controller promotes a role that is asked for), unlike {@link #DOWN}.
     */
    COLD,
    /** Failed or stopped: a request waiting for it would wait for a restart that may not come. */
    DOWN
}
