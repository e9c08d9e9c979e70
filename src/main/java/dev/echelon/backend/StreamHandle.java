package dev.echelon.backend;

import java.util.concurrent.CompletableFuture;

/** Control over a running stream. */
public interface StreamHandle {

    /**
     * Cancels the HTTP call: the connection to the backend is closed, which makes llama-server stop the generation.
     * The listener then gets {@code onError(BackendCancelledException)} unless a terminal callback already happened.
     * Idempotent; at most an event already being dispatched may still reach the listener.
     */
    void cancel();

    /**
     * True once the stream reached its terminal state (set just before the terminal callback is delivered; use
     * {@link #done()} to wait for the callback to have returned).
     */
    boolean isDone();

    /** True if {@link #cancel()} was called. */
    boolean isCancelled();

    /** Number of events delivered to {@code onEvent} so far. */
    int eventCount();

    /**
     * Completes after the terminal callback: normally on completion, exceptionally with the {@link BackendException}
     * on error/cancel. Cancelling this future cancels the stream.
     */
    CompletableFuture<Void> done();
}
