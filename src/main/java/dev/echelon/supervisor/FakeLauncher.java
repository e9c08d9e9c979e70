package dev.echelon.supervisor;

import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.fake.FakeLlamaServer;
import dev.echelon.fake.FakeModel;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import dev.echelon.fake.FakePageCache;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Mock mode's launcher: starts a {@link FakeLlamaServer} inside the JVM from the very same command line a real
 * llama-server would get, so flag building, readiness probing, restarts and residency transitions are exercised
 * exactly as with real processes. A {@link FakePageCache} stands in for the operating system's: a server whose model
 * files were staged (or left behind by a server that exited cleanly) loads without the NVMe read.
 */
public final class FakeLauncher implements Launcher {

    /** Flags only the fake takes: its simulation knobs (the bench pins α with them). */
    public static final String[] FAKE_FLAGS = {"--fake-acceptance", "--fake-honour-spec-request"};

    private final Vertx vertx;
    private final FakeModelCatalog catalog;
    private final FakeOptions options;
    private final FakePageCache pageCache = new FakePageCache();
    private final CostModel cost = new CostModel();

    private final boolean honourSpecRequest;

    public FakeLauncher(Vertx vertx, FakeModelCatalog catalog, FakeOptions options) {
        this(vertx, catalog, options, false);
    }

    /**
     * @param honourSpecRequest every fake takes per-request draft lengths into account (a newer llama-server), not
     *                          only those whose registry launch says {@code --fake-honour-spec-request}
     */
    public FakeLauncher(Vertx vertx, FakeModelCatalog catalog, FakeOptions options, boolean honourSpecRequest) {
        this.vertx = vertx;
        this.catalog = catalog;
        this.options = options;
        this.honourSpecRequest = honourSpecRequest;
    }

    @Override
    public ServerHandle launch(LaunchCommand command) {
        List<Path> files = modelFiles(command.args());
        FakeOptions opts = !files.isEmpty() && files.stream().allMatch(pageCache::contains)
                ? options.withColdStart(false) : options;
        FakeLlamaServer server;
        try {
            List<String> args = command.args();
            if (honourSpecRequest && !args.contains(FAKE_FLAGS[1])) {
                args = new ArrayList<>(args);
                args.add(FAKE_FLAGS[1]);
            }
            server = FakeLlamaServer.start(vertx, args, catalog, opts);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(command.instanceId(), "fake llama-server refused its flags: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new LaunchException(command.instanceId(), "fake llama-server failed to start: " + e, e);
        }
        return new FakeHandle(server, () -> files.forEach(pageCache::add));
    }

    /** The simulated sequential read takes what the cost model says for the file, times the time scale. */
    @Override
    public CompletableFuture<Void> stage(Path modelFile) {
        FakeModel m = catalog.byPath(modelFile.toString()).orElse(null);
        if (m == null) {
            return CompletableFuture.failedFuture(new LaunchException(modelFile.toString(),
                    "cannot stage " + modelFile + ": no such model file", null));
        }
        double seconds = m.model().mock() == null ? 0
                : cost.stageSeconds(Calibration.of(m.model()), m.variant().bytes()) * options.timeScale();
        long delayMs = Math.round(seconds * 1000);
        return CompletableFuture.runAsync(() -> pageCache.add(modelFile),
                CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
    }

    @Override
    public void unstage(Path modelFile) {
        pageCache.remove(modelFile);
    }

    @Override
    public FlagDialect dialect() {
        return FlagDialect.SPEC_V050; // the fake speaks llama.cpp v0.5.0's flags
    }

    @Override
    public String describe() {
        return "fake llama-server (in-process, time scale " + options.timeScale() + ")";
    }

    /** The target ({@code -m}) and draft ({@code -md}) files a command line loads. */
    private static List<Path> modelFiles(List<String> args) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            switch (args.get(i)) {
                case "-m", "--model", "-md", "--model-draft", "--spec-draft-model" -> out.add(Path.of(args.get(i + 1)));
                default -> {
                }
            }
        }
        return out;
    }

    /** One fake server's lifetime. {@link #kill()} is a crash: connections drop mid-stream. */
    static final class FakeHandle implements ServerHandle {
        private final FakeLlamaServer server;
        private final Runnable onCleanExit;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        FakeHandle(FakeLlamaServer server, Runnable onCleanExit) {
            this.server = server;
            this.onCleanExit = onCleanExit;
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void terminate() {
            CompletableFuture.runAsync(() -> {
                server.close();
                onCleanExit.run(); // the file it mapped stays in the page cache
                exit.complete(0);
            });
        }

        @Override
        public void kill() {
            server.crash();
            exit.complete(137);
        }

        @Override
        public OptionalLong pid() {
            return OptionalLong.empty();
        }

        FakeLlamaServer server() {
            return server;
        }
    }
}
