package dev.echelon.supervisor;

import dev.echelon.fake.FakeLlamaServer;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import io.vertx.core.Vertx;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Mock mode's launcher: starts a {@link FakeLlamaServer} inside the JVM from the very same command line a real
 * llama-server would get, so flag building, readiness probing, restarts and residency transitions are exercised
 * exactly as with real processes.
 */
public final class FakeLauncher implements Launcher {

    private final Vertx vertx;
    private final FakeModelCatalog catalog;
    private final FakeOptions options;

    public FakeLauncher(Vertx vertx, FakeModelCatalog catalog, FakeOptions options) {
        this.vertx = vertx;
        this.catalog = catalog;
        this.options = options;
    }

    @Override
    public ServerHandle launch(LaunchCommand command) {
        FakeLlamaServer server;
        try {
            server = FakeLlamaServer.start(vertx, command.args(), catalog, options);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(command.instanceId(), "fake llama-server refused its flags: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new LaunchException(command.instanceId(), "fake llama-server failed to start: " + e, e);
        }
        return new FakeHandle(server);
    }

    @Override
    public FlagDialect dialect() {
        return FlagDialect.SPEC_V050; // the fake speaks llama.cpp v0.5.0's flags
    }

    @Override
    public String describe() {
        return "fake llama-server (in-process, time scale " + options.timeScale() + ")";
    }

    /** One fake server's lifetime. {@link #kill()} is a crash: connections drop mid-stream. */
    static final class FakeHandle implements ServerHandle {
        private final FakeLlamaServer server;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        FakeHandle(FakeLlamaServer server) {
            this.server = server;
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public void terminate() {
            CompletableFuture.runAsync(() -> {
                server.close();
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
