package dev.echelon.supervisor;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything needed to start one llama-server: the flags exactly as llama-server takes them (without the binary),
 * the address they bind, and where its output goes.
 */
public record LaunchCommand(String instanceId, List<String> args, String host, int port, Path logFile) {

    public LaunchCommand {
        args = List.copyOf(args);
    }

    public URI baseUrl() {
        return URI.create("http://" + host + ":" + port);
    }
}
