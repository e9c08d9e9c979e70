package dev.echelon.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs one of the Node test clients in src/test/node (the OpenAI SDK, the MCP SDK, the MCP Inspector CLI) and
 * collects what it printed. {@code ./echelon test} installs node and the pinned packages first; without them the
 * calling test fails and says how to install them.
 */
record NodeCommand(int exitCode, boolean finished, String stdout, String stderr) {

    static final Path NODE_DIR = Path.of("src/test/node");
    static final String HOW_TO_INSTALL = "run the README's test command `./echelon test` (it installs node and runs "
            + "`npm ci` in src/test/node), or by hand: (cd src/test/node && npm ci)";

    /** Fails the test unless {@code module} (e.g. {@code openai}) is installed under src/test/node/node_modules. */
    static void requireInstalled(String module) {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve(module))) {
            fail("The Node package " + module + " is not installed (" + NODE_DIR.resolve("node_modules")
                    .resolve(module).toAbsolutePath() + " is missing): " + HOW_TO_INSTALL);
        }
    }

    /** Runs {@code command} (its first element is usually {@code node}) with extra {@code env}, for at most {@code seconds}. */
    static NodeCommand run(List<String> command, Map<String, String> env, long seconds) throws InterruptedException,
            IOException {
        Path out = Files.createTempFile("node-client", ".out");
        Path err = Files.createTempFile("node-client", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                fail("Cannot run " + command.get(0) + " (" + e.getMessage() + "): " + HOW_TO_INSTALL);
                return null;
            }
            boolean finished = p.waitFor(seconds, TimeUnit.SECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            return new NodeCommand(finished ? p.exitValue() : -1, finished,
                    Files.readString(out, StandardCharsets.UTF_8).strip(),
                    Files.readString(err, StandardCharsets.UTF_8).strip());
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The last line of stdout: where the scripts print their JSON summary. */
    String lastLine() {
        String[] lines = stdout.split("\n");
        return lines[lines.length - 1];
    }

    String describe() {
        return "exit " + exitCode + (finished ? "" : " (killed: too slow)") + "\nstdout: " + stdout + "\nstderr: "
                + stderr;
    }
}
