package dev.echelon.supervisor;

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
}
