package dev.echelon.supervisor;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One backend instance as the rest of Echelon sees it, whatever runs it: a child llama-server, an in-process fake,
 * or a server someone else runs at an external URL. Its state changes are an event stream.
 */
public interface ServerProcess {

    String instanceId();

    String role();

    URI baseUrl();

    ServerState state();

    /** Started by someone else; Echelon only watches it. */
    boolean external();

    /** Starts it (or, for an external server, starts watching it). Returns at once. */
    void start();

    /** Stops it gracefully; completes when it is gone. */
    CompletableFuture<Void> stop();

    /** Completes when the server is READY, or exceptionally after {@code timeout} or if it is stopped. */
    CompletableFuture<Void> awaitReady(Duration timeout);

    /** Subscribes to state changes; the returned runnable unsubscribes. */
    Runnable onChange(Consumer<StateChange> listener);

    /** The latest state changes, oldest first (bounded). */
    List<StateChange> history();

    /**
     * Being relaunched with new settings: it takes no new request until the new server is launched, but is worth
     * waiting for. Only a managed server is ever relaunched.
     */
    default boolean relaunching() {
        return false;
    }

    /** How many times it was restarted after failing. */
    int restarts();

    OptionalLong pid();
}
