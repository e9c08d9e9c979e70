package dev.echelon;

import dev.echelon.mcp.NullArgumentsInput;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts Echelon. Over stdio (mcp/echelon-mcp sets {@code quarkus.mcp.server.stdio.enabled}) standard input is
 * wrapped first, before the MCP transport takes it, so that null tool arguments are read as absent ones — the rule
 * {@code /mcp} applies over HTTP.
 */
@QuarkusMain
public final class EchelonMain {

    private EchelonMain() {
    }

    public static void main(String... args) {
        String stdio = System.getProperty("quarkus.mcp.server.stdio.enabled",
                System.getenv().getOrDefault("QUARKUS_MCP_SERVER_STDIO_ENABLED", "false"));
        if (Boolean.parseBoolean(stdio)) {
            System.setIn(new NullArgumentsInput(System.in));
        }
        Quarkus.run(args);
    }
}
