package dev.echelon.supervisor;

/** Life of one backend server as the supervisor sees it. */
public enum ServerState {
    /** Process starting; the HTTP port does not answer yet. */
    STARTING,
    /** The server answers 503 "Loading model". */
    LOADING,
    /** {@code /health} is 200: requests may go to it. */
    READY,
    /** It exited, crashed or did not become ready in time; a restart may be scheduled. */
    FAILED,
    /** Asked to stop; draining. */
    STOPPING,
    /** Not running, by request. */
    STOPPED;

    public boolean serving() {
        return this == READY;
    }
}
