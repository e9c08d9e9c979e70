package dev.echelon.residency.control;

import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.RoleSpec;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import dev.echelon.supervisor.ManagedServer;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.StateChange;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The actuator against a real supervisor driving fake llama-servers: each transition becomes the right supervisor
 * action with the right flags, S5 lasts until the servers are ready, demotions free memory before promotions use it,
 * and a failed action restores the placement the role came from.
 */
class ActuatorTest {

    static Vertx vertx;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        vertx.close();
    }

    /** Records what the actuator reports, and hands out each landing as it comes. */
    static final class Recorder implements Actuator.Listener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final ConcurrentHashMap<String, CompletableFuture<Actuator.Landing>> landings = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Instant> startedAt = new ConcurrentHashMap<>();

        @Override
        public void started(Transition t) {
            startedAt.put(t.role(), Instant.now());
            events.add("started " + t);
        }

        @Override
        public void waiting(Transition t) {
            events.add("waiting " + t);
        }

        @Override
        public void dropped(Transition t, String why) {
            events.add("dropped " + t);
        }

        @Override
        public void landed(Actuator.Landing l) {
            events.add("landed " + l.transition());
            landing(l.transition().role()).complete(l);
        }

        CompletableFuture<Actuator.Landing> landing(String role) {
            return landings.computeIfAbsent(role, r -> new CompletableFuture<>());
        }

        Actuator.Landing await(String role) throws Exception {
            return landing(role).get(20, TimeUnit.SECONDS);
        }

        int index(String prefix) {
            synchronized (events) {
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i).startsWith(prefix)) {
                        return i;
                    }
                }
            }
            return -1;
        }
    }

    private static Actuator actuator(FakeFleet fleet, ResidencyModel model, Recorder rec) {
        return actuator(fleet, model, rec, role -> 0);
    }

    private static Actuator actuator(FakeFleet fleet, ResidencyModel model, Recorder rec,
            java.util.function.ToIntFunction<String> inFlight) {
        return new Actuator(model, fleet.supervisor, model.initialPlacement(), inFlight,
                new Actuator.Settings(role -> 10_000, role -> 10_000, Duration.ofSeconds(2)), rec);
    }

    private static List<String> args(ServerProcess s) {
        return ((ManagedServer) s).args();
    }

    private static String flag(ServerProcess s, String name) {
        List<String> a = args(s);
        int i = a.indexOf(name);
        return i < 0 || i + 1 >= a.size() ? null : a.get(i + 1);
    }

    @Test
    void promotionFromS3ToS1RelaunchesWithEveryLayerOnTheGpu(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19610, dir).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            Actuator actuator = actuator(fleet, model, rec);
            ServerProcess math = fleet.server("math");
            assertEquals("0", flag(math, "-ngl"), "math starts on the CPU (S3)");
            RolePlacement from = model.initialPlacement().of("math");
            assertEquals(ResidencyState.S3, from.state());

            Transition t = model.transition("math", from, RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28));
            actuator.submit(List.of(t), "test");
            Actuator.Landing l = rec.await("math");

            assertTrue(l.ok(), () -> "failed: " + l.failure());
            assertEquals(t.to(), l.at());
            assertEquals("relaunch", l.action());
            assertEquals(ServerState.READY, math.state());
            assertEquals("all", flag(math, "-ngl"));
            assertTrue(flag(math, "-m").endsWith("qwen2.5-math-7b-instruct-q4_k_m.gguf"), flag(math, "-m"));
            assertEquals("mmap", flag(math, "--load-mode"), "the registry's load mode, no mlock off S3");
            assertEquals(0, math.restarts(), "a relaunch is not a crash");
            actuator.close();
        }
    }

    @Test
    void variantChangeAndPartialOffloadPassTheFileAndTheLayerCount(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19620, dir).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            Actuator actuator = actuator(fleet, model, rec);
            ServerProcess worker = fleet.server("worker");
            RolePlacement s1 = model.initialPlacement().of("worker");
            assertEquals(RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28), s1);

            actuator.submit(List.of(model.transition("worker", s1, RolePlacement.gpu(ResidencyState.S2, "q8_0", 14))),
                    "test");
            Actuator.Landing l = rec.await("worker");

            assertTrue(l.ok(), () -> "failed: " + l.failure());
            assertEquals("14", flag(worker, "-ngl"));
            assertTrue(flag(worker, "-m").endsWith("qwen2.5-7b-instruct-q8_0.gguf"), flag(worker, "-m"));
            assertEquals(ServerState.READY, worker.state());
            actuator.close();
        }
    }

    @Test
    void demotionToS4StopsTheServerWithoutCountingACrash(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19630, dir).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            Actuator actuator = actuator(fleet, model, rec);
            ServerProcess worker = fleet.server("worker");
            RolePlacement s1 = model.initialPlacement().of("worker");

            actuator.submit(List.of(model.transition("worker", s1, RolePlacement.cold("q4_k_m"))), "test");
            Actuator.Landing l = rec.await("worker");

            assertTrue(l.ok(), () -> "failed: " + l.failure());
            assertEquals("stop", l.action());
            assertEquals(ServerState.STOPPED, worker.state());
            assertEquals(0, worker.restarts());
            assertTrue(worker.history().stream().noneMatch(c -> c.to() == ServerState.FAILED), worker.history()::toString);
            actuator.close();
        }
    }

    @Test
    void roleIsInS5FromTheActionsStartUntilEveryServerIsReady(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19640, dir).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            Actuator actuator = actuator(fleet, model, rec);
            ServerProcess architect = fleet.server("architect");
            int before = architect.history().size();
            RolePlacement from = model.initialPlacement().of("architect");

            actuator.submit(List.of(model.transition("architect", from,
                    RolePlacement.gpu(ResidencyState.S0, "q8_0", 48))), "test");
            Actuator.Landing l = rec.await("architect");
            Instant landedAt = Instant.now();

            assertTrue(l.ok(), () -> "failed: " + l.failure());
            List<StateChange> during = architect.history().subList(before, architect.history().size());
            List<ServerState> states = during.stream().map(StateChange::to).toList();
            assertEquals(ServerState.STOPPING, states.get(0), during::toString);
            assertTrue(states.contains(ServerState.STARTING), during::toString);
            assertEquals(ServerState.READY, states.get(states.size() - 1), during::toString);
            Instant started = rec.startedAt.get("architect");
            assertNotNull(started);
            assertFalse(during.get(0).at().isBefore(started), "S5 is announced before the server is touched");
            assertFalse(during.get(during.size() - 1).at().isAfter(landedAt), "the role lands after READY");
            assertTrue(rec.index("started") < rec.index("landed"));
            actuator.close();
        }
    }

    @Test
    void stagingIntoS3PreReadsTheFileAndLocksItInMemory(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19650, dir).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            Actuator actuator = actuator(fleet, model, rec);
            ServerProcess worker = fleet.server("worker");
            RolePlacement s1 = model.initialPlacement().of("worker");
            RolePlacement cold = RolePlacement.cold("q8_0");
            RolePlacement staged = RolePlacement.cpu("q8_0");

            actuator.submit(List.of(model.transition("worker", s1, cold), model.transition("worker", cold, staged)),
                    "test");
            Actuator.Landing first = rec.await("worker");
            assertEquals(cold, first.at());
            rec.landings.remove("worker");
            Actuator.Landing second = rec.await("worker");

            assertTrue(second.ok(), () -> "failed: " + second.failure());
            assertEquals("stage+start", second.action());
            assertEquals(staged, second.at());
            assertEquals("0", flag(worker, "-ngl"));
            assertEquals("mmap+mlock", flag(worker, "--load-mode"));
            assertTrue(flag(worker, "-m").endsWith("qwen2.5-7b-instruct-q8_0.gguf"));
            assertEquals(ServerState.READY, worker.state());
            actuator.close();
        }
    }

    @Test
    void aPromotionThatNeedsMemoryWaitsUntilTheDemotionFreeingItHasLanded(@TempDir Path dir) throws Exception {
        ResidencyModel roomy = FakeFleet.model(FakeFleet.ROOMY);
        Placement initial = roomy.initialPlacement();
        // exactly the GPU the launch placement uses: promoting math onto the GPU needs worker to leave it first
        long gpu = roomy.footprint(initial).gpuBytes();
        ResidencyModel model = FakeFleet.model(new Budgets(gpu, FakeFleet.ROOMY.hostRamBytes()));
        try (FakeFleet fleet = new FakeFleet(vertx, 19660, dir).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            Actuator actuator = actuator(fleet, model, rec);
            Transition promote = model.transition("math", initial.of("math"),
                    RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28));
            Transition demote = model.transition("worker", initial.of("worker"), RolePlacement.cpu("q4_k_m"));

            actuator.submit(List.of(promote, demote), "test"); // the promotion first: the actuator must hold it back
            Actuator.Landing w = rec.await("worker");
            Actuator.Landing m = rec.await("math");

            assertTrue(w.ok() && m.ok(), rec.events::toString);
            assertTrue(rec.index("waiting " + promote) >= 0, rec.events::toString);
            assertTrue(rec.index("landed " + demote) < rec.index("started " + promote), rec.events::toString);
            assertEquals("all", flag(fleet.server("math"), "-ngl"));
            assertEquals("0", flag(fleet.server("worker"), "-ngl"));
            actuator.close();
        }
    }

    @Test
    void aRunningRoleIsDrainedBeforeItsServerIsRelaunched(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19670, dir).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            AtomicInteger inFlight = new AtomicInteger(1);
            Actuator actuator = actuator(fleet, model, rec, role -> role.equals("math") ? inFlight.get() : 0);
            ServerProcess math = fleet.server("math");
            int before = math.history().size();

            actuator.submit(List.of(model.transition("math", model.initialPlacement().of("math"),
                    RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28))), "test");
            Thread.sleep(300);
            assertEquals(before, math.history().size(), "nothing is stopped while a request is in flight");
            assertEquals(ServerState.READY, math.state());
            inFlight.set(0);
            Actuator.Landing l = rec.await("math");

            assertTrue(l.ok());
            assertTrue(l.drainMs() >= 300, "drained for " + l.drainMs() + " ms");
            actuator.close();
        }
    }

    @Test
    void aFailedActionRestoresThePlacementTheRoleCameFrom(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        FakeModelCatalog all = FakeModelCatalog.of(FakeFleet.REGISTRY.roles().values().stream()
                .map(RoleSpec::model).flatMap(Optional::stream).toList(), Path.of("models"));
        // the Q8 file of the worker is missing on this machine: llama-server exits "failed to load model"
        FakeModelCatalog missingQ8 = path -> path.endsWith("qwen2.5-7b-instruct-q8_0.gguf") ? Optional.empty()
                : all.byPath(path);
        try (FakeFleet fleet = new FakeFleet(vertx, 19680, dir, missingQ8).startAndAwaitReady()) {
            Recorder rec = new Recorder();
            Actuator actuator = actuator(fleet, model, rec);
            ServerProcess worker = fleet.server("worker");
            RolePlacement s1 = model.initialPlacement().of("worker");

            actuator.submit(List.of(model.transition("worker", s1, RolePlacement.gpu(ResidencyState.S0, "q8_0", 28))),
                    "test");
            Actuator.Landing l = rec.await("worker");

            assertFalse(l.ok());
            assertNotNull(l.failure());
            assertTrue(l.failure().contains("restored"), l.failure());
            assertEquals(s1, l.at());
            assertEquals(ServerState.READY, worker.state());
            assertTrue(flag(worker, "-m").endsWith("qwen2.5-7b-instruct-q4_k_m.gguf"));
            actuator.close();
        }
    }

    @Test
    void actionNamesSayWhatTheSupervisorDoes() {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        RolePlacement s3 = RolePlacement.cpu("q4_k_m");
        RolePlacement s1 = RolePlacement.gpu(ResidencyState.S1, "q4_k_m", 28);
        RolePlacement s4 = RolePlacement.cold("q4_k_m");
        RolePlacement s6 = RolePlacement.substituted("q4_k_m");
        assertEquals("relaunch", Actuator.action(model.transition("worker", s3, s1), false));
        assertEquals("start", Actuator.action(model.transition("worker", s4, s1), false));
        assertEquals("stop", Actuator.action(model.transition("worker", s1, s4), false));
        assertEquals("none", Actuator.action(model.transition("worker", s4, s6), false));
        Transition stage = model.transition("worker", s4, s3);
        assertTrue(Actuator.stages(stage));
        assertEquals("stage+start", Actuator.action(stage, true));
        assertFalse(Actuator.stages(model.transition("worker", s1, s3)), "its file is in the page cache already");
    }
}
