package dev.echelon.fake;

/** Life cycle of a fake llama-server. */
public enum FakeServerState {
    /** Listening; every endpoint answers 503 "Loading model". */
    LOADING,
    /** Model loaded; serving. */
    READY,
    /** Closed or crashed; the port no longer accepts connections. */
    STOPPED
}
