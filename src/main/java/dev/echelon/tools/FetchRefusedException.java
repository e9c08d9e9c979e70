package dev.echelon.tools;

/**
 * The fetch was refused by policy (scheme, host lists, a forbidden address, too many redirects, non-text content).
 * The message is written for a model or a user to read, e.g. "127.0.0.1 is a loopback address".
 */
public final class FetchRefusedException extends RuntimeException {
    public FetchRefusedException(String reason) {
        super(reason);
    }
}
