package dev.echelon.speculation;

import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculation wired into the running service (mock mode, the shipped registry): the coder's draft is checked at
 * startup and switched on, the honour probe finds that the fake — like llama-server v0.5.0 — ignores per-request
 * lengths, a request to the coder reports its drafting in {@code x_echelon}, and the telemetry reaches /q/metrics and
 * /admin/speculation.
 */
@QuarkusTest
class SpeculationWiringTest {

    @Inject
    Supervisor supervisor;

    @Inject
    SpeculationService speculation;

    private JsonPath awaitCoderPaired() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonPath json;
        do {
            json = RestAssured.get("/admin/speculation").then().statusCode(200).extract().jsonPath();
            if ("compatible".equals(json.getString("roles.coder.pairing"))
                    && "per_instance".equals(json.getString("roles.coder.server_behaviour"))) {
                return json;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the coder's pairing was not checked within 60 s: " + json.prettify());
    }

    @Test
    void theCoderSpeculatesAfterItsPairingCheckAndReportsIt() throws Exception {
        JsonPath admin = awaitCoderPaired();
        assertTrue(admin.getString("roles.coder.launch").startsWith("draft(n_max=8"), admin.prettify());
        awaitCoderReady();
        assertTrue(supervisor.commandLineOfRunning("coder-0").contains("-md"));

        JsonPath answer = RestAssured.given().contentType(ContentType.JSON).body("""
                {"model": "coder", "max_tokens": 64,
                 "messages": [{"role": "user", "content": "Write a Java method that reverses a singly linked list."}]}
                """).post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
        assertEquals("coder", answer.getString("x_echelon.role"));
        assertEquals(8, answer.getInt("x_echelon.speculation.n_max"), answer.prettify());
        assertEquals(false, answer.getBoolean("x_echelon.speculation.set_per_request"));
        assertTrue(answer.getInt("x_echelon.speculation.draft_tokens") > 0, answer.prettify());
        assertTrue(answer.getInt("x_echelon.speculation.accepted_tokens")
                <= answer.getInt("x_echelon.speculation.draft_tokens"));

        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("echelon_speculation_draft_tokens_total{")
                && l.contains("role=\"coder\"")), "draft tokens counted per role and category");
        assertTrue(metrics.contains("echelon_speculation_acceptance_rate{"), "acceptance exported as a gauge");

        JsonPath after = RestAssured.get("/admin/speculation").then().statusCode(200).extract().jsonPath();
        assertTrue(after.getMap("telemetry.coder").size() >= 1, after.prettify());

        // the residency planner prices the coder's decoding at the acceptance the tuner measured, to 0.02
        String tuned = after.prettify();
        double measured = speculation.tuner().measuredAlpha("coder").orElseThrow(() -> new AssertionError(
                "one 64-token answer drafts enough to measure: " + tuned));
        JsonPath residency = RestAssured.get("/admin/residency").then().statusCode(200).extract().jsonPath();
        assertEquals(measured, residency.getDouble("roles.coder.draft_acceptance"), 0.0101, residency.prettify());
        assertFalse(residency.getMap("roles.architect").containsKey("draft_acceptance"),
                "a role without a draft has no acceptance to price");
        // the adapter may relaunch the coder with a new draft length once the telemetry says so (a new process,
        // its counters from zero): then the next speculated request is counted by the new one
        for (int attempt = 0; attempt < 5 && !(serverDraftTokens(after) > 0);
                attempt++) {
            awaitCoderReady();
            RestAssured.given().contentType(ContentType.JSON).body("""
                    {"model": "coder", "max_tokens": 64,
                     "messages": [{"role": "user", "content": "Write a Java method that sums a list."}]}
                    """).post("/v1/chat/completions").then().statusCode(200);
            after = RestAssured.get("/admin/speculation").then().statusCode(200).extract().jsonPath();
        }
        assertTrue(serverDraftTokens(after) > 0, "the coder's own /metrics counters: " + after.prettify());
    }

    /**
     * Waits for coder-0 to serve. A relaunch with a new draft length stops the instance before starting it again,
     * which ends a wait begun before the stop with "was stopped": that wait is begun again, on the relaunched process.
     */
    private void awaitCoderReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                supervisor.serversOf("coder").get(0).awaitReady(Duration.ofSeconds(30)).get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof IllegalStateException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    /** coder-0's own draft-token counter, 0 while it is not reported (a relaunch under way). */
    private static double serverDraftTokens(JsonPath admin) {
        Object v = admin.get("server_counters.'coder-0'.draft_tokens");
        return v instanceof Number n ? n.doubleValue() : 0;
    }
}
