package dev.echelon.backend;

import dev.echelon.registry.RoleTimeouts;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-instance HTTP timeouts. {@code read} is the longest silence allowed between bytes (also: waiting for the first
 * byte of the response, and between stream events). {@code total} bounds the whole call including the body (streams
 * too); {@link Duration#ZERO} means no total limit.
 */
public record BackendTimeouts(Duration connect, Duration read, Duration total) {

    public static final BackendTimeouts DEFAULTS = of(2_000, 120_000, 0);

    public BackendTimeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(total, "total");
        if (connect.isNegative() || read.isNegative() || total.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative: " + connect + ", " + read + ", " + total);
        }
    }

    /** All in milliseconds; 0 means "no timeout" for that phase. */
    public static BackendTimeouts of(long connectMs, long readMs, long totalMs) {
        return new BackendTimeouts(Duration.ofMillis(connectMs), Duration.ofMillis(readMs), Duration.ofMillis(totalMs));
    }

    /**
     * A role's registry timeouts as HTTP timeouts. One socket read timeout covers both the wait for the first byte
     * (prompt processing) and the silence between streamed tokens, so it is the larger of the two; the registry's
     * finer split is enforced above the client, by the quality gate's generation monitor.
     */
    public static BackendTimeouts forRole(RoleTimeouts role) {
        return of(role.connectMs(), Math.max(role.firstTokenMs(), role.idleMs()), role.totalMs());
    }

    public BackendTimeouts withTotal(Duration newTotal) {
        return new BackendTimeouts(connect, read, newTotal);
    }

    public BackendTimeouts withRead(Duration newRead) {
        return new BackendTimeouts(connect, newRead, total);
    }
}
