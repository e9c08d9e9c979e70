package dev.echelon.supervisor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs in a child JVM: launches a llama-server through {@link ProcessLauncher}, writes the server's pid to a file
 * and waits to be killed. The test kills this JVM with SIGKILL and checks that the server does not outlive it.
 */
public final class OrphanCheckMain {

    public static void main(String[] args) throws Exception {
        Path binary = Path.of(args[0]);
        Path pidFile = Path.of(args[1]);
        int port = Integer.parseInt(args[2]);
        ProcessLauncher launcher = new ProcessLauncher(binary.toString(), FlagDialect.SPEC_V050, 1 << 20, 2);
        ServerHandle h = launcher.launch(new LaunchCommand("orphan-0",
                List.of("-m", "tiny.gguf", "--host", "127.0.0.1", "--port", Integer.toString(port)), "127.0.0.1",
                port, pidFile.resolveSibling("orphan-0.log")));
        Files.writeString(pidFile, Long.toString(h.pid().orElseThrow()));
        Thread.sleep(120_000);
    }
}
