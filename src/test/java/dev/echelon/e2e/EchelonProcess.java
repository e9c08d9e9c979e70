package dev.echelon.e2e;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged Echelon started as a user starts it: {@code java -jar target/quarkus-app/quarkus-run.jar}. */
final class EchelonProcess implements AutoCloseable {

    final Process process;
    final int port;
    final Path output;

    private EchelonProcess(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    static EchelonProcess start(Path workDir, Map<String, String> env) throws IOException {
        String jar = System.getProperty("echelon.app.jar", "target/quarkus-app/quarkus-run.jar");
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(jar).toAbsolutePath().toString()));
        Path out = workDir.resolve("echelon-" + port + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("ORCHESTRATOR_PORT", Integer.toString(port));
        pb.environment().put("ORCHESTRATOR_BACKEND_PORT_BASE", Integer.toString(freePort() + 1));
        pb.environment().put("ORCHESTRATOR_DATA_DIR", workDir.resolve("data").toString());
        pb.environment().putAll(env);
        return new EchelonProcess(pb.start(), port, out);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** Status code of a GET, or -1 while nothing listens. */
    int get(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                    .openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(5_000);
            int code = c.getResponseCode();
            c.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    String body(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                .openConnection();
        c.setReadTimeout(5_000);
        var in = c.getResponseCode() >= 400 ? c.getErrorStream() : c.getInputStream();
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
