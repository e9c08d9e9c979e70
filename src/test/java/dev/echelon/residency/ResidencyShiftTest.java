package dev.echelon.residency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.control.ResidencyController;
import dev.echelon.residency.control.ResidencyLedger;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.StateChange;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The residency controller's acceptance test, in mock mode through the real HTTP API: traffic shifts from the front
 * door (tier A) to the expert (tier B). Within the planning horizon the expert must be promoted onto the GPU and the
 * front door demoted to make room — the budget cannot hold both fully — every transition must be in the ledger (the
 * JSONL trace and {@code /admin/residency}), consistent with the supervisor's own record, and no request may fail.
 */
@QuarkusTest
@TestProfile(ResidencyShiftProfile.class)
class ResidencyShiftTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int CLIENTS = 4;

    @Inject
    Supervisor supervisor;
    @Inject
    ResidencyController controller;

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> served = Collections.synchronizedMap(new HashMap<>());

    private int chat(String model, String prompt) throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", model, "max_tokens", 12,
                "messages", List.of(Map.of("role", "user", "content", prompt))));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "v1/chat/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            failures.add(model + ": " + r.statusCode() + " " + r.body());
        } else {
            served.merge(JSON.readTree(r.body()).path("x_echelon").path("role").asText(), 1, Integer::sum);
        }
        return r.statusCode();
    }

    private JsonNode admin() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "admin/residency?recent=200"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** {@code CLIENTS} clients send requests for {@code model} back to back until {@code until} holds. */
    private void traffic(String model, String prompt, BooleanSupplier until, Duration max) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(CompletableFuture.runAsync(() -> {
                while (!stop.get()) {
                    try {
                        chat(model, prompt);
                    } catch (Exception e) {
                        failures.add(model + ": " + e);
                    }
                }
            }, pool));
        }
        long end = System.nanoTime() + max.toNanos();
        while (!until.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        stop.set(true);
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
        pool.shutdown();
    }

    private RolePlacement live(String role) {
        return controller.snapshot().live(role);
    }

    private static boolean onGpu(RolePlacement p) {
        return p.state() == ResidencyState.S0 || p.state() == ResidencyState.S1 || p.state() == ResidencyState.S2;
    }

    @Test
    void trafficShiftingFromTierAToTierBPromotesBAndDemotesAWithinTheHorizon() throws Exception {
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(20)))
                .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        Instant booted = Instant.now();
        JsonNode start = admin();
        assertEquals("planner", start.path("policy").asText());
        assertEquals(10_300_000_000L, start.path("budgets").path("gpu_bytes").asLong());
        assertEquals("S1", start.path("roles").path("greeter").path("state").asText(), start::toString);
        assertEquals("S3", start.path("roles").path("expert").path("state").asText(), start::toString);
        Placement initial = controller.model().initialPlacement();

        // phase A: the front door's traffic, 3 s of wall time = one horizon of the controller's clock
        long phaseA = System.nanoTime();
        traffic("greeter", "Say hello.", () -> System.nanoTime() - phaseA > 3_000_000_000L, Duration.ofSeconds(4));
        assertTrue(onGpu(live("greeter")), "the front door is still on the GPU: " + live("greeter"));
        assertFalse(onGpu(live("expert")), "nothing asked for the expert yet: " + live("expert"));
        RolePlacement greeterAtShift = live("greeter");

        // phase B: the traffic moves to the expert, until it is on the GPU and the front door has made room
        Instant shift = Instant.now();
        traffic("expert", "Explain the trade-offs of event sourcing for an order service.",
                () -> onGpu(live("expert")) && deeper(live("greeter"), greeterAtShift) && moving().isEmpty(),
                Duration.ofSeconds(12));
        traffic("expert", "And how would you migrate it?", () -> false, Duration.ofMillis(500)); // served on the GPU

        assertEquals(List.of(), failures, "every request is answered with 200");
        assertTrue(onGpu(live("expert")), "B promoted onto the GPU: " + live("expert"));
        assertTrue(deeper(live("greeter"), greeterAtShift), "A demoted: " + greeterAtShift + " → " + live("greeter"));
        assertTrue(served.getOrDefault("expert", 0) > 0, served::toString);

        double speed = controller.clock().speed();
        Path file = controller.ledger().file();
        assertEquals(Path.of(ResidencyShiftProfile.DATA_DIR, "residency-trace.jsonl").getFileName(), file.getFileName());
        List<Map<String, Object>> trace = ResidencyLedger.read(file, 5);
        Instant promoted = firstLanding(trace, "expert", shift, true);
        Instant demoted = firstLanding(trace, "greeter", shift, false);
        double promotedAfter = Duration.between(shift, promoted).toNanos() / 1e9 * speed;
        double demotedAfter = Duration.between(shift, demoted).toNanos() / 1e9 * speed;
        assertTrue(promotedAfter <= ResidencyShiftProfile.HORIZON_S, "B promoted " + promotedAfter
                + " s (controller clock) after the shift; horizon " + ResidencyShiftProfile.HORIZON_S + " s");
        assertTrue(demotedAfter <= ResidencyShiftProfile.HORIZON_S, "A demoted " + demotedAfter + " s after the shift");
        System.out.printf("residency shift: B promoted %.1f s, A demoted %.1f s after the shift (controller clock, "
                + "%.0f× wall); %d transitions; served %s; controller %s; plan solve %s µs%n", promotedAfter,
                demotedAfter, speed, trace.size(), served, controller.stats(), controller.explain().get("solveMicros"));
        for (Map<String, Object> line : trace) {
            System.out.printf("  step %s %s %s→%s %s ngl %s: planned %s ms, actual %s ms (wall %s ms, drain %s ms)%n",
                    line.get("step"), line.get("unit"), line.get("old_state"), line.get("new_state"),
                    line.get("action"), line.get("gpu_layers"), line.get("planned_ms"), line.get("actual_ms"),
                    line.get("wall_ms"), line.get("drain_ms"));
        }

        assertEveryTransitionIsInTheLedger(trace, initial, booted);
    }

    /** The JSONL trace, /admin/residency and the supervisor's own history tell the same story. */
    private void assertEveryTransitionIsInTheLedger(List<Map<String, Object>> trace, Placement initial,
            Instant booted) throws Exception {
        JsonNode admin = admin();
        List<Long> adminSteps = new ArrayList<>();
        admin.path("recent_transitions").forEach(t -> adminSteps.add(t.path("step").asLong()));
        List<Long> traceSteps = trace.stream().map(l -> ((Number) l.get("step")).longValue()).toList();
        assertEquals(traceSteps, adminSteps, "the trace and /admin/residency list the same transitions");
        assertFalse(traceSteps.isEmpty());
        for (Map<String, Object> line : trace) {
            for (String field : List.of("step", "unit", "score", "old_state", "new_state", "action", "bytes_moved",
                    "pressure", "variant", "gpu_layers", "planned_ms", "actual_ms", "cause", "timestamp", "outcome")) {
                assertTrue(line.containsKey(field), field + " missing in " + line);
            }
            assertEquals("ok", line.get("outcome"), line::toString);
        }
        for (String role : initial.roles().keySet()) {
            // from where the supervisor launched it, each transition starts where the previous one landed, and the
            // last one lands where the role is now
            String at = initial.of(role).state().name();
            int starts = 0;
            for (Map<String, Object> line : trace) {
                if (role.equals(line.get("unit"))) {
                    assertEquals(at, line.get("old_state"), () -> role + " chain broken at " + line);
                    at = (String) line.get("new_state");
                    starts += String.valueOf(line.get("action")).contains("start")
                            || "relaunch".equals(line.get("action")) ? 1 : 0;
                }
            }
            assertEquals(live(role).state().name(), at, role + " ends where the ledger says");
            assertEquals(at, admin.path("roles").path(role).path("state").asText());
            ServerProcess server = supervisor.serversOf(role).get(0);
            long launched = server.history().stream().filter(c -> c.to() == ServerState.STARTING)
                    .filter(c -> c.at().isAfter(booted)).count();
            assertEquals(starts, launched, () -> role + ": every launch after boot is a ledger transition; history "
                    + server.history().stream().map(StateChange::toString).toList());
        }
    }

    private java.util.Map<String, dev.echelon.residency.Transition> moving() {
        return controller.snapshot().moving();
    }

    /** Towards less memory: a deeper state, or fewer GPU layers in the same one. */
    private static boolean deeper(RolePlacement now, RolePlacement before) {
        return now.state() != ResidencyState.S5 && (now.depth() > before.depth()
                || (now.depth() == before.depth() && now.gpuLayers() < before.gpuLayers()));
    }

    /** When the first transition of {@code role} after {@code after} landed on the GPU (or left it). */
    private static Instant firstLanding(List<Map<String, Object>> trace, String role, Instant after, boolean toGpu) {
        for (Map<String, Object> line : trace) {
            Instant at = Instant.parse((String) line.get("timestamp"));
            String s = (String) line.get("new_state");
            boolean gpu = s.equals("S0") || s.equals("S1") || s.equals("S2");
            if (role.equals(line.get("unit")) && at.isAfter(after) && (toGpu ? gpu : !s.equals("S1"))) {
                return at;
            }
        }
        throw new AssertionError("no " + (toGpu ? "promotion" : "demotion") + " of " + role + " in " + trace);
    }
}
