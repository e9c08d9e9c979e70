package dev.echelon.supervisor;

import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The supervisor against real child processes (a stand-in llama-server binary in its own JVM). */
class SupervisorProcessTest {

    @TempDir
    static Path dir;
    static Path binary;
    static ScheduledExecutorService scheduler;
    static OkHttpClient http;
    static PortAllocator ports = new PortAllocator(19300);

    @BeforeAll
    static void setUp() throws Exception {
        binary = ChildProcesses.fakeLlamaServerBinary(dir);
        scheduler = Executors.newScheduledThreadPool(2);
        http = new OkHttpClient();
    }

    @AfterAll
    static void tearDown() {
        scheduler.shutdownNow();
    }

    private ManagedServer server(String id, long initialBackoffMs) {
        int port = ports.allocate();
        LaunchCommand cmd = new LaunchCommand(id, List.of("-m", "tiny.gguf", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "-ngl", "all", "-np", "2"), "127.0.0.1", port, dir.resolve(id + ".log"));
        ProcessLauncher launcher = new ProcessLauncher(binary.toString(), FlagDialect.SPEC_V050, 1 << 20, 2);
        return new ManagedServer(id, "worker", launcher, () -> cmd, new ClientHealthProbe(http), scheduler,
                new RestartPolicy(initialBackoffMs, 10_000, 60_000), Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    @Test
    void startsLoadsAndBecomesReadyThenStopsGracefully() throws Exception {
        ManagedServer s = server("ready-0", 200);
        List<StateChange> changes = new CopyOnWriteArrayList<>();
        s.onChange(changes::add);
        s.start();
        s.awaitReady(Duration.ofSeconds(30)).get();
        assertEquals(ServerState.READY, s.state());
        List<ServerState> seen = changes.stream().map(StateChange::to).toList();
        assertEquals(ServerState.STARTING, seen.get(0));
        assertTrue(seen.contains(ServerState.LOADING), "503 Loading model was observed while loading: " + seen);
        long pid = s.pid().orElseThrow();
        assertTrue(ChildProcesses.running(pid));

        s.stop().get(10, TimeUnit.SECONDS);
        assertEquals(ServerState.STOPPED, s.state());
        assertFalse(ChildProcesses.running(pid), "process gone after a graceful stop");
        // 143 = 128 + SIGTERM: it was asked to stop and did, within the grace period (a SIGKILL would be 137)
        assertTrue(s.history().get(s.history().size() - 1).reason().contains("exited with code 143"),
                "graceful stop by SIGTERM: " + s.history());
        String log = Files.readString(dir.resolve("ready-0.log"));
        assertTrue(log.contains("fake llama-server listening on"), "output captured to the log:\n" + log);
        assertTrue(log.startsWith("# echelon: "), "the log starts with the command line");
    }

    @Test
    void crashedServerIsRestartedWithExponentialBackoff() throws Exception {
        ManagedServer s = server("crashy-0", 300);
        List<StateChange> changes = new CopyOnWriteArrayList<>();
        s.onChange(changes::add);
        s.start();
        s.awaitReady(Duration.ofSeconds(30)).get();

        for (int crash = 1; crash <= 2; crash++) {
            long pid = s.pid().orElseThrow();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9: a crash
            waitFor(() -> s.restarts() >= 1 && s.pid().orElse(pid) != pid, 15_000);
            s.awaitReady(Duration.ofSeconds(30)).get();
            assertTrue(ChildProcesses.running(s.pid().orElseThrow()));
        }
        assertEquals(2, s.restarts());
        // delays between FAILED and the next STARTING: ~300 ms, then ~600 ms
        List<Long> delays = new java.util.ArrayList<>();
        for (int i = 0; i < changes.size() - 1; i++) {
            if (changes.get(i).to() == ServerState.FAILED) {
                for (int j = i + 1; j < changes.size(); j++) {
                    if (changes.get(j).to() == ServerState.STARTING) {
                        delays.add(Duration.between(changes.get(i).at(), changes.get(j).at()).toMillis());
                        break;
                    }
                }
            }
        }
        assertEquals(2, delays.size(), "two restarts: " + changes);
        assertTrue(delays.get(0) >= 280 && delays.get(0) < 2_000, "first backoff ~300 ms: " + delays);
        assertTrue(delays.get(1) >= 580, "second backoff doubled to ~600 ms: " + delays);
        assertTrue(changes.stream().anyMatch(c -> c.to() == ServerState.FAILED
                && c.reason().contains("exited unexpectedly")), "the failure says why");
        s.stop().get(10, TimeUnit.SECONDS);
    }

    @Test
    void noOrphanWhenTheJvmIsKilled() throws Exception {
        Path pidFile = dir.resolve("orphan.pid");
        Process jvm = new ProcessBuilder(ChildProcesses.java(), "-cp", System.getProperty("java.class.path"),
                OrphanCheckMain.class.getName(), binary.toString(), pidFile.toString(),
                Integer.toString(ports.allocate())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("orphan-jvm.out").toFile()).start();
        waitFor(() -> Files.exists(pidFile) && !readQuietly(pidFile).isBlank(), 30_000);
        long serverPid = Long.parseLong(readQuietly(pidFile).trim());
        waitFor(() -> ChildProcesses.running(serverPid), 5_000);
        Thread.sleep(500);

        jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
        jvm.waitFor(10, TimeUnit.SECONDS);
        waitFor(() -> !ChildProcesses.running(serverPid), 10_000);
        assertFalse(ChildProcesses.running(serverPid), "llama-server " + serverPid + " outlived its JVM");
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("condition not met within " + timeoutMs + " ms");
            }
            Thread.sleep(20);
        }
    }
}
