package dev.echelon.supervisor;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** One lifetime of a started server: from launch to exit. A restart makes a new handle. */
public interface ServerHandle {

    /** Completes with the exit code when the server is gone, whatever the reason. */
    CompletableFuture<Integer> exit();

    /** Asks the server to shut down cleanly (SIGTERM for a process). */
    void terminate();

    /** Ends it at once (SIGKILL for a process). */
    void kill();

    /** The operating-system process id, when the server is a process. */
    OptionalLong pid();

    default boolean alive() {
        return !exit().isDone();
    }
}
