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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor's state machine driving in-process fake servers: stop, start again, crash, relaunch. */
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
        LaunchCommand cmd = command(dir, new PortAllocator(19400).allocate());
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

    @Test
    void aRelaunchWaitsForTheDrainAndAnotherRelaunchQueuesBehindIt(@TempDir Path dir) throws Exception {
        ManagedServer s = server(dir);
        s.start();
        s.awaitReady(Duration.ofSeconds(10)).get();
        int startsBefore = starts(s);
        java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
        var first = s.relaunch(() -> command(dir, s.baseUrl().getPort()), () -> drained, true);
        var second = s.relaunch(() -> command(dir, s.baseUrl().getPort()));
        assertTrue(s.relaunching(), "a relaunch asked for takes no new request from then on");
        Thread.sleep(200);
        assertEquals(ServerState.READY, s.state(), "the old server keeps serving until its requests are done");
        assertFalse(first.isDone() || second.isDone(), "nothing is stopped before the drain");
        drained.complete(null);
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        s.awaitReady(Duration.ofSeconds(10)).get();
        assertFalse(s.relaunching());
        assertEquals(startsBefore + 2, starts(s), "both relaunches ran, one after the other: " + s.history());
        assertTrue(s.history().stream().noneMatch(c -> c.to() == ServerState.FAILED), s.history().toString());
        s.stop().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aSpeculationRelaunchOvertakenByAStopLeavesTheServerStopped(@TempDir Path dir) throws Exception {
        ManagedServer s = server(dir);
        s.start();
        s.awaitReady(Duration.ofSeconds(10)).get();
        java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();
        var relaunch = s.relaunch(() -> command(dir, s.baseUrl().getPort()), () -> drained, true);
        s.stop().get(5, TimeUnit.SECONDS); // the residency controller stops the role meanwhile
        drained.complete(null);
        relaunch.get(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        assertEquals(ServerState.STOPPED, s.state(), "a stop on purpose wins over a settings relaunch: " + s.history());
        assertFalse(s.relaunching());
        // and one asked for while it is stopped does not start it either
        s.relaunch(() -> command(dir, s.baseUrl().getPort()), () -> java.util.concurrent.CompletableFuture.completedFuture(null), true)
                .get(5, TimeUnit.SECONDS);
        assertEquals(ServerState.STOPPED, s.state());
    }

    private static LaunchCommand command(Path dir, int port) {
        return new LaunchCommand("fake-0", List.of("-m", "tiny.gguf", "--port", Integer.toString(port)), "127.0.0.1",
                port, dir.resolve("fake-0.log"));
    }

    private static int starts(ManagedServer s) {
        return (int) s.history().stream().filter(c -> c.to() == ServerState.STARTING).count();
    }
}
