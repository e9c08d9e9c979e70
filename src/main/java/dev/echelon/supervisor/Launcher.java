package dev.echelon.supervisor;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Starts llama-servers. {@link ProcessLauncher} runs the real binary; {@link FakeLauncher} starts an in-process
 * fake that parses the very same flags — the supervisor cannot tell them apart, which is the point of mock mode.
 */
public interface Launcher {

    /**
     * Starts a server and returns at once; readiness is found out by probing {@code /health}.
     *
     * @throws LaunchException when the server cannot even be started (binary missing, bad flags)
     */
    ServerHandle launch(LaunchCommand command);

    /** The flag family the installed llama-server understands. */
    FlagDialect dialect();

    /** For logs and /admin: what kind of servers this launcher starts. */
    String describe();

    /**
     * Reads a model file into host RAM (the page cache) so that a server started on it later skips the NVMe read:
     * the S3 staging of the residency controller. Completes when the whole file is there, exceptionally when it
     * cannot be read.
     */
    CompletableFuture<Void> stage(Path modelFile);

    /**
     * The residency controller no longer counts on {@code modelFile} being in host RAM (its role went to NVMe only).
     * A hint: a real page cache gives the pages back under memory pressure by itself.
     */
    void unstage(Path modelFile);
}
