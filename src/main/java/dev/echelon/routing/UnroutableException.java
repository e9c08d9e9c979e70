package dev.echelon.routing;

/** The {@code model} a client asked for names nothing that can serve it. */
public final class UnroutableException extends RuntimeException {

    private final boolean unknown;

    UnroutableException(String message, boolean unknown) {
        super(message, null, false, false);
        this.unknown = unknown;
    }

    /** True when the id names nothing at all (404); false when it names something that cannot serve (400). */
    public boolean unknown() {
        return unknown;
    }
}
