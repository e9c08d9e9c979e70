package dev.echelon.supervisor;

import java.util.concurrent.CompletableFuture;

/**
 * Tells when a backend instance has no request in flight. The request path counts requests; the supervisor does
 * not, so whoever relaunches an instance for its own reasons (speculation settings) hands this in to drain first.
 */
@FunctionalInterface
public interface InFlightDrain {

    /** Nothing to wait for: the caller has drained already, or nothing can be in flight (benchmarks, tests). */
    InFlightDrain NONE = instanceId -> CompletableFuture.completedFuture(null);

    /** Completes once {@code instanceId} has no request in flight (at once if it has none now). */
    CompletableFuture<Void> idle(String instanceId);
}
