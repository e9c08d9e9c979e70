package dev.echelon.supervisor;

import dev.echelon.fake.FakeModel;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import io.vertx.core.Vertx;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The supervisor's state machine driving in-process fake servers: stop, start again, crash. */
class FakeManagedServerTest {

    static Vertx vertx;
    static ScheduledExecutorService scheduler;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterAll
    static void tearDown() {
        scheduler.shutdownNow();
        vertx.close();
    }

    private static ManagedServer server(Path dir) {
        FakeModelCatalog catalog = p -> Optional.of(new FakeModel(FakeServerProcessMain.MODEL,
                FakeServerProcessMain.MODEL.referenceVariant()));
        FakeLauncher launcher = new FakeLauncher(vertx, catalog, FakeOptions.DEFAULT.withTimeScale(0.05));
        int port = new PortAllocator(19400).allocate();
        LaunchCommand cmd = new LaunchCommand("fake-0", List.of("-m", "tiny.gguf", "--port", Integer.toString(port)),
                "127.0.0.1", port, dir.resolve("fake-0.log"));
        return new ManagedServer("fake-0", "worker", launcher, () -> cmd, new ClientHealthProbe(new OkHttpClient()),
                scheduler, new RestartPolicy(100, 1_000, 60_000), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    @Test
    void stoppedServerStartsAgain(@TempDir Path dir) throws Exception {
        ManagedServer s = server(dir);
        s.start();
        s.awaitReady(Duration.ofSeconds(10)).get();
        for (int i = 0; i < 3; i++) {
            s.stop().get(5, TimeUnit.SECONDS);
            assertEquals(ServerState.STOPPED, s.state());
            s.start();
            s.awaitReady(Duration.ofSeconds(10)).get();
            assertEquals(ServerState.READY, s.state(), "round " + i + ": " + s.history());
        }
        assertEquals(0, s.restarts(), "stopping on purpose is not a crash");
        s.stop().get(5, TimeUnit.SECONDS);
    }

    @Test
    void crashedFakeIsRestarted(@TempDir Path dir) throws Exception {
        ManagedServer s = server(dir);
        s.start();
        s.awaitReady(Duration.ofSeconds(10)).get();
        s.handle().kill();
        SupervisorProcessTest.waitFor(() -> s.restarts() == 1, 5_000);
        s.awaitReady(Duration.ofSeconds(10)).get();
        assertEquals(ServerState.READY, s.state());
        s.stop().get(5, TimeUnit.SECONDS);
    }
}
