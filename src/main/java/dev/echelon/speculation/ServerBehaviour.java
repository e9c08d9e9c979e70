package dev.echelon.speculation;

/** Whether a role's servers take per-request draft lengths ({@code speculative.n_max}) into account. */
public enum ServerBehaviour {
    /** Probed: a request's {@code speculative.n_max} changes how much the server drafts. */
    PER_REQUEST,
    /** Probed: the field is accepted and ignored (llama-server v0.5.0); the length is the server's flag. */
    PER_INSTANCE,
    /** Not probed yet, or the server does not speculate: nothing is sent, the flags decide. */
    UNKNOWN
}
