package dev.echelon.speculation;

import dev.echelon.TestBackends;
import dev.echelon.backend.InstancePool;
import dev.echelon.backend.InstanceStatus;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.StateChange;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relaunch for new speculation settings (what the pairing check and draft-length adaptation do) in the running
 * service: the request the coder is serving finishes on the old server before it stops, and a request that arrives
 * meanwhile waits for the relaunched coder instead of meeting its stop or going to a fallback role.
 */
@QuarkusTest
class SpeculationRelaunchTest {

    @Inject
    Supervisor supervisor;
    @Inject
    InstancePool pool;
    @Inject
    PairingCheck pairing;
    @Inject
    ModelRegistry registry;

    @Test
    void aRelaunchDrainsTheServerAndRequestsMeetingItWaitForIt() throws Exception {
        TestBackends.awaitSettled(supervisor, pairing, registry);
        ServerProcess coder = supervisor.server("coder-0").orElseThrow();
        CompletableFuture<JsonPath> inFlight = CompletableFuture.supplyAsync(() -> chat(400));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pool.byId("coder-0").orElseThrow().inFlight() == 0) {
            assertTrue(System.nanoTime() < deadline, "the first request never reached the coder");
            Thread.sleep(5);
        }

        Instant asked = Instant.now();
        CompletableFuture<Void> relaunch = supervisor.reapplySpeculation("coder-0", pool::idle);
        assertEquals(InstanceStatus.WARMING, pool.byId("coder-0").orElseThrow().status(),
                "a relaunching server takes no new request");
        assertEquals(ServerState.READY, coder.state(), "the old server still serves what it has");
        CompletableFuture<JsonPath> arriving = CompletableFuture.supplyAsync(() -> chat(16));

        JsonPath first = inFlight.get(60, TimeUnit.SECONDS);
        relaunch.get(60, TimeUnit.SECONDS);
        JsonPath second = arriving.get(60, TimeUnit.SECONDS);

        assertEquals("coder", first.getString("x_echelon.role"), first.prettify());
        // not cut off by the stop: a normal end, with no escalation away from a failed backend
        assertTrue(java.util.Set.of("stop", "length").contains(first.getString("choices[0].finish_reason")),
                "served whole: " + first.prettify());
        assertTrue(first.getList("x_echelon.escalations").isEmpty(), first.prettify());
        assertEquals("coder", second.getString("x_echelon.role"), "waited for the coder, no fallback: "
                + second.prettify());
        StateChange stop = coder.history().stream().filter(c -> c.to() == ServerState.STOPPING)
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no stop: " + coder.history()));
        assertTrue(stop.at().isAfter(asked), "relaunched by this test: " + coder.history());
        assertEquals(ServerState.READY, coder.state());
        assertEquals(0, coder.restarts(), "a relaunch is not a crash");
    }

    private static JsonPath chat(int maxTokens) {
        return RestAssured.given().contentType(ContentType.JSON).body("""
                {"model": "coder", "max_tokens": %d,
                 "messages": [{"role": "user", "content": "Write a Java method that parses ISO dates."}]}
                """.formatted(maxTokens)).post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
    }
}
