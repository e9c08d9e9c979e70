package dev.echelon.tools;

/**
 * The sandbox cannot be built here (bubblewrap, setpriv or prlimit missing, the launcher missing, not root), so
 * the program was not run. There is no unsandboxed fallback on purpose.
 */
public final class SandboxUnavailableException extends RuntimeException {
    public SandboxUnavailableException(String message) {
        super(message);
    }
}
