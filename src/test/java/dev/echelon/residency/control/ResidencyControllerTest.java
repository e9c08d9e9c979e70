package dev.echelon.residency.control;

import dev.echelon.pipeline.ResidencyView;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.plan.GuardrailSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller between signals, policy, guardrails and actuator, over a real supervisor with fake servers and a
 * scripted policy: signals reach the policy in order, a request for a cold role wakes the controller, and whatever a
 * policy wants passes the guardrails first (pins, dwell, the window) and the actuator drains a busy role before it moves it.
 */
class ResidencyControllerTest {

    static Vertx vertx;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        vertx.close();
    }

    /** A policy told what to want: on every tick {@code onTick}, on every request {@code onRequest}; it records calls. */
    static final class ScriptedPolicy implements ResidencyPolicy {
        final List<String> calls = new CopyOnWriteArrayList<>(); // streamed by the test while ticks add
        volatile BiFunction<Observation, Placement, Placement> onTick = (now, p) -> p;
        volatile BiFunction<Observation, String, Placement> onRequest = (now, role) -> now.current();
        final List<String> sizes = new CopyOnWriteArrayList<>();
        volatile Overflow overflow;

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public Optional<Overflow> overflow() {
            return Optional.ofNullable(overflow);
        }

        @Override
        public Decision onRequest(Observation now, String role) {
            calls.add("request " + role);
            return new Decision(onRequest.apply(now, role), "scripted request", Set.of());
        }

        @Override
        public Decision onRequest(Observation now, String role, int promptTokens, int maxOutputTokens) {
            sizes.add(role + " " + promptTokens + "/" + maxOutputTokens);
            return onRequest(now, role);
        }

        /** How many ticks the policy has been asked to decide. */
        long ticks() {
            return calls.stream().filter("tick"::equals).count();
        }

        @Override
        public Decision onTick(Observation now) {
            calls.add("tick");
            return new Decision(onTick.apply(now, now.current()), "scripted tick", Set.of());
        }

        @Override
        public void onWeakAnswer(double nowSeconds, String role, String likelyNext) {
            calls.add("weak " + role + "→" + likelyNext);
        }

        @Override
        public Map<String, Object> explain() {
            return Map.of("scores", Map.of("worker", 0.5));
        }
    }

    static final class TestLoad implements ResidencyController.Load {
        final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
        final Map<String, Integer> bound = new ConcurrentHashMap<>();

        @Override
        public int inFlight(String role) {
            return inFlight.getOrDefault(role, 0);
        }

        @Override
        public int queued(String role) {
            return bound.getOrDefault(role, 0);
        }

        @Override
        public int bound(String role) {
            return bound.getOrDefault(role, 0);
        }
    }

    private static ResidencyController controller(FakeFleet fleet, ResidencyModel model, ResidencyPolicy policy,
            TestLoad load, GuardrailSettings guards, long tickMs, Path dir) {
        return new ResidencyController(model, policy, guards, fleet.supervisor,
                new Actuator.Settings(role -> 10_000, role -> 10_000, Duration.ofSeconds(2)), load,
                new ResidencyLedger(dir.resolve("trace.jsonl"), 1 << 20, 2, 50, new SimpleMeterRegistry()),
                ControllerClock.wall(), new ResidencyController.Settings(true, tickMs, 2_000));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static final GuardrailSettings LOOSE = new GuardrailSettings(0, 60, 100);

    @Test
    void signalsReachThePolicyInArrivalOrder(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19710, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            // requests for roles that serve are handled at the next tick; only a role that cannot serve wakes it
            try (ResidencyController c = controller(fleet, model, policy, new TestLoad(), LOOSE, 50, dir)) {
                c.start();
                await(() -> policy.calls.contains("tick"), "the first tick");
                c.requested("worker", 512, 256);
                c.requested("math", 1800, 64);
                c.weakAnswer("frontdoor", "worker");
                c.requested("embedder", 512, 256); // not managed: no signal
                c.requested("architect", 512, 256);
                await(() -> policy.calls.contains("request architect"), "the signals");
                List<String> calls = policy.calls.stream().filter(x -> !x.equals("tick")).toList();
                assertEquals(List.of("request worker", "request math", "weak frontdoor→worker", "request architect"),
                        calls.subList(calls.indexOf("request worker"), calls.size()));
                assertEquals(Map.of("scores", Map.of("worker", 0.5)), c.explain());
                assertEquals(List.of("worker 512/256", "math 1800/64", "architect 512/256"), policy.sizes,
                        "each request's size reaches the policy with it");
            }
        }
    }

    @Test
    void aRequestOverflowsOnlyFromAHotRoleToAHotFallbackPastTheObjectiveWithinThePolicysBudget(@TempDir Path dir)
            throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        // the registry's launch placement: front door and worker on the GPU, math on the CPU
        assertEquals(ResidencyState.S3, model.initialPlacement().of("math").state());
        try (FakeFleet fleet = new FakeFleet(vertx, 19780, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            try (ResidencyController c = controller(fleet, model, policy, new TestLoad(), LOOSE, 50, dir)) {
                c.start();
                await(() -> policy.calls.contains("tick"), "the first tick");
                ToDoubleFunction<String> frontDoorBusy = role -> role.equals("frontdoor") ? 10.0 : 0.0;
                assertEquals(Optional.empty(), c.overflowTo("frontdoor", 100, frontDoorBusy),
                        "a policy without the rule never overflows");

                policy.overflow = new Overflow(Overflow.Settings.DEFAULTS);
                for (int i = 0; i < Overflow.TAIL_SAMPLES; i++) {
                    c.firstToken("worker", 30.0);
                }
                assertEquals(Optional.empty(), c.overflowTo("frontdoor", 100, frontDoorBusy),
                        "a 10 s wait is inside a tail of 30 s first tokens: not worth the fallback's quality");

                policy.overflow = new Overflow(Overflow.Settings.DEFAULTS);
                assertEquals(Optional.empty(), c.overflowTo("frontdoor", 100, role -> 0.5),
                        "half a second's wait is within twice the front door's 1 s objective");
                assertEquals(Optional.empty(), c.overflowTo("worker", 100, role -> role.equals("worker") ? 60 : 0),
                        "the worker's fallback, math, is on the CPU: not hot");
                assertEquals(Optional.empty(), c.overflowTo("frontdoor", 100, role -> 10.0),
                        "a fallback as busy as the role is no way out");
                assertEquals(Optional.of("worker"), c.overflowTo("frontdoor", 100, frontDoorBusy));
                assertEquals(Optional.empty(), c.overflowTo("frontdoor", 100, frontDoorBusy),
                        "with no arrival counted the budget allows one overflow in the window");
                assertEquals(1, policy.overflow.total());
            }
        }
    }

    @Test
    void aRequestForAColdRoleWakesTheControllerWhichPromotesIt(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        RolePlacement initial = model.initialPlacement().of("math");
        try (FakeFleet fleet = new FakeFleet(vertx, 19720, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            policy.onTick = (now, p) -> p.with("math", RolePlacement.cold("q4_k_m")); // the first tick parks it
            policy.onRequest = (now, role) -> now.current().with(role, initial);
            try (ResidencyController c = controller(fleet, model, policy, new TestLoad(), LOOSE, 60_000, dir)) {
                c.start();
                await(() -> c.snapshot().live("math").state() == ResidencyState.S4, "math parked on NVMe");
                assertEquals(ResidencyView.Standing.COLD, c.standing("math").standing());
                assertEquals("worker", c.standing("math").fallback().orElseThrow());
                policy.onTick = (now, p) -> p; // ticks are a minute apart anyway: only the request can bring it back

                c.requested("math", 512, 256);
                await(() -> c.snapshot().live("math").equals(initial), "math promoted on demand");
                // the landed state is published before its ledger line is written: wait for the line too
                await(() -> c.ledger().recent(10).size() >= 2, "the promotion in the ledger");

                assertEquals(ResidencyView.Standing.SERVING, c.standing("math").standing());
                List<LedgerEntry> entries = c.ledger().recent(10);
                assertEquals(2, entries.size(), entries::toString);
                assertEquals(List.of("S3→S4 stop ok", "S4→S3 stage+start ok"), entries.stream()
                        .map(e -> e.oldState() + "→" + e.newState() + " " + e.action() + " " + e.outcome()).toList());
                assertTrue(entries.get(1).cause().startsWith("request for math"), entries.get(1).cause());
                assertEquals(null, entries.get(1).score(), "the policy scores only the worker");
            }
        }
    }

    /**
     * A request for a role on the CPU waits for the policy's verdict on it: while the policy decides, the role is
     * WAITING (its requests are held in admission); a verdict that loads it makes it MOVING before the hold is lifted,
     * so the request never starts on the CPU copy, whose run would hold the load until it ended. A verdict that keeps
     * it on the CPU lifts the hold at once.
     */
    @Test
    void aRequestForARoleOffTheGpuWaitsForTheVerdictAndNeverStartsOnTheCpuCopyOfARoleBeingLoaded(@TempDir Path dir)
            throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        RolePlacement cpu = model.initialPlacement().of("math");
        assertEquals(ResidencyState.S3, cpu.state());
        int layers = model.role("math").requireVariant(cpu.variant()).layers();
        RolePlacement gpu = RolePlacement.gpu(ResidencyState.S1, cpu.variant(), layers);
        try (FakeFleet fleet = new FakeFleet(vertx, 19790, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            java.util.concurrent.CountDownLatch decide = new java.util.concurrent.CountDownLatch(1);
            policy.onRequest = (now, role) -> {
                try {
                    decide.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return now.current().with(role, gpu);
            };
            try (ResidencyController c = controller(fleet, model, policy, new TestLoad(), LOOSE, 60_000, dir)) {
                List<String> seen = new CopyOnWriteArrayList<>();
                c.onStandingChange(role -> {
                    if (role.equals("math")) {
                        seen.add(c.standing("math").standing() + " " + c.snapshot().live("math").state());
                    }
                });
                c.start();
                assertEquals(ResidencyView.Standing.SERVING, c.standing("math").standing());

                c.requested("math", 512, 256);
                assertEquals(ResidencyView.Standing.WAITING, c.standing("math").standing(),
                        "held from the moment it is asked for, while the policy decides");
                Thread.sleep(100);
                assertEquals(ResidencyView.Standing.WAITING, c.standing("math").standing());
                decide.countDown();
                await(() -> c.snapshot().live("math").equals(gpu), "math loaded on the GPU");
                await(() -> c.standing("math").standing() == ResidencyView.Standing.SERVING, "math serving");
                // the landing is published before the listeners hear of it
                await(() -> seen.contains("SERVING S1"), "the request path told that math landed");

                assertEquals("SERVING S1", seen.get(seen.size() - 1), seen::toString);
                assertTrue(seen.stream().filter(s -> s.startsWith("SERVING")).allMatch(s -> s.equals("SERVING S1")),
                        () -> "never serving on the CPU once asked for: " + seen);
                assertTrue(seen.contains("MOVING S5"), seen::toString);

                // the verdict: stay where it is (now on the GPU, so no hold at all); back on the CPU, a verdict that
                // keeps it there lifts the hold as soon as it is given
                policy.onRequest = (now, role) -> now.current();
                c.requested("math", 512, 256);
                assertEquals(ResidencyView.Standing.SERVING, c.standing("math").standing(),
                        "a role on the whole GPU is never held for a verdict");
            }
        }
    }

    @Test
    void aBusyRoleIsDrainedBeforeItIsDemotedAndPinsHold(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19730, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            policy.onTick = (now, p) -> p.with("worker", RolePlacement.cold("q4_k_m"))
                    .with("frontdoor", RolePlacement.cpu("q8_0")); // frontdoor is pinned at S1
            TestLoad load = new TestLoad();
            load.inFlight.put("worker", 1);
            try (ResidencyController c = controller(fleet, model, policy, load, LOOSE, 20, dir)) {
                c.start();
                await(() -> policy.ticks() >= 10, "ten ticks");
                // the demotion passes the guardrails, and the actuator drains first: the worker starts no new
                // request (held: S5) while its request in flight runs, and nothing has been demoted yet
                assertTrue(c.snapshot().live("worker").state() == ResidencyState.S1
                        || c.snapshot().live("worker").state() == ResidencyState.S5, "busy: drain first, "
                        + c.snapshot().live("worker"));
                assertTrue(c.ledger().recent(10).isEmpty(), "nothing demoted while a request is in flight");

                load.inFlight.put("worker", 0);
                await(() -> c.snapshot().live("worker").state() == ResidencyState.S4, "worker demoted once idle");
                Thread.sleep(200); // more ticks that want the pinned front door off the GPU
                assertEquals(model.initialPlacement().of("frontdoor"), c.snapshot().live("frontdoor"));
                assertTrue(c.ledger().recent(10).stream().noneMatch(e -> e.unit().equals("frontdoor")));
            }
        }
    }

    /**
     * A policy that wants the worker substituted onto math while a request waits that math's context cannot hold (the
     * request path admitted it bound to the worker): the controller's guardrails refuse the move for as long as the
     * request waits, and let it through once it is gone.
     */
    @Test
    void aRoleIsNotSubstitutedWhileARequestBoundToItWaits(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19770, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            policy.onTick = (now, p) -> p.with("worker", RolePlacement.substituted("q4_k_m"));
            TestLoad load = new TestLoad();
            load.bound.put("worker", 1);
            try (ResidencyController c = controller(fleet, model, policy, load, LOOSE, 20, dir)) {
                c.start();
                await(() -> policy.ticks() >= 10, "ten ticks");
                assertEquals(model.initialPlacement().of("worker"), c.snapshot().live("worker"));
                assertTrue(c.ledger().recent(10).stream().noneMatch(e -> e.unit().equals("worker")));

                load.bound.remove("worker");
                await(() -> c.snapshot().live("worker").state() == ResidencyState.S6,
                        "the worker substituted once nothing bound to it waits");
            }
        }
    }

    /**
     * A request bound to a role makes the controller decide at once (the decision its arrival started may have run
     * before admission queued it), not at the next tick: here a minute away.
     */
    @Test
    void aRequestBoundToItsRoleIsDecidedAtOnce(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19775, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            List<Integer> boundSeen = new CopyOnWriteArrayList<>();
            policy.onTick = (now, p) -> {
                boundSeen.add(now.bound("worker"));
                return p;
            };
            TestLoad load = new TestLoad();
            try (ResidencyController c = controller(fleet, model, policy, load, LOOSE, 60_000, dir)) {
                c.start();
                await(() -> policy.calls.contains("tick"), "the first tick");
                load.bound.put("worker", 1);
                c.waitsBound("worker");
                await(() -> boundSeen.contains(1), "a decision that counts the bound request");
                assertEquals(2, policy.ticks(), policy.calls::toString);
            }
        }
    }

    @Test
    void aRoleThatJustMovedDwellsBeforeItMovesAgain(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        RolePlacement s1 = model.initialPlacement().of("worker");
        RolePlacement s3 = RolePlacement.cpu("q4_k_m");
        try (FakeFleet fleet = new FakeFleet(vertx, 19740, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            policy.onTick = (now, p) -> p.with("worker", s3);
            GuardrailSettings dwell = new GuardrailSettings(3_600, 60, 100);
            try (ResidencyController c = controller(fleet, model, policy, new TestLoad(), dwell, 20, dir)) {
                c.start();
                await(() -> c.snapshot().live("worker").equals(s3), "worker moved to the CPU");
                long ticks = policy.ticks();
                policy.onTick = (now, p) -> p.with("worker", s1); // flip straight back: thrash
                await(() -> policy.ticks() >= ticks + 10, "ten more ticks");
                assertEquals(s3, c.snapshot().live("worker"), "within its dwell time the role stays");
                assertEquals(1, c.ledger().recent(10).size());
            }
        }
    }

    @Test
    void aSubstitutedRoleSendsItsTrafficToItsFallback(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19750, dir).startAndAwaitReady()) {
            ScriptedPolicy policy = new ScriptedPolicy();
            policy.onTick = (now, p) -> p.with("architect", RolePlacement.substituted("q4_k_m"));
            try (ResidencyController c = controller(fleet, model, policy, new TestLoad(), LOOSE, 60_000, dir)) {
                List<String> changed = Collections.synchronizedList(new ArrayList<>());
                c.onStandingChange(changed::add);
                c.start();
                await(() -> c.snapshot().live("architect").state() == ResidencyState.S6, "architect substituted");
                ResidencyView.RoleStanding s = c.standing("architect");
                assertEquals(ResidencyView.Standing.SUBSTITUTED, s.standing());
                assertEquals("coder", s.fallback().orElseThrow());
                assertTrue(changed.contains("architect"), "the request path heard of it");
                assertEquals(ResidencyView.Standing.SERVING, c.standing("coder").standing());
                assertEquals(ResidencyView.RoleStanding.UNMANAGED, c.standing("embedder"));
            }
        }
    }

    @Test
    void disabledItKeepsTheRegistryPlacementAndHearsNothing(@TempDir Path dir) throws Exception {
        ResidencyModel model = FakeFleet.model(FakeFleet.ROOMY);
        try (FakeFleet fleet = new FakeFleet(vertx, 19760, dir)) {
            ScriptedPolicy policy = new ScriptedPolicy();
            try (ResidencyController c = new ResidencyController(model, policy, LOOSE, fleet.supervisor,
                    new Actuator.Settings(role -> 10_000, role -> 10_000, Duration.ofSeconds(2)), new TestLoad(),
                    new ResidencyLedger(null, 1 << 20, 0, 10, new SimpleMeterRegistry()), ControllerClock.wall(),
                    new ResidencyController.Settings(false, 10, 1_000))) {
                c.start();
                c.requested("worker", 512, 256);
                Thread.sleep(100);
                assertTrue(policy.calls.isEmpty(), policy.calls::toString);
                assertEquals(ResidencyView.RoleStanding.UNMANAGED, c.standing("worker"));
                assertEquals(model.initialPlacement(), c.snapshot().live());
                assertFalse(c.enabled());
            }
        }
    }
}
