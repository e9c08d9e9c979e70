package dev.echelon.api;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mock mode end to end inside one Quarkus: every configured instance becomes a ready fake llama-server. */
@QuarkusTest
class MockModeBootTest {

    @Inject
    Supervisor supervisor;
    @Inject
    ModelRegistry registry;

    private void awaitAllReady() throws Exception {
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(30)))
                .toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
    }

    @Test
    void everyConfiguredInstanceReachesReady() throws Exception {
        long launched = registry.instances().count();
        assertEquals(launched, supervisor.servers().size());
        assertTrue(launched >= 5);
        awaitAllReady();
        for (ServerProcess s : supervisor.servers()) {
            assertEquals(ServerState.READY, s.state(), s.instanceId());
            assertFalse(s.external());
        }
    }

    @Test
    void readinessIsUpWithEveryInstanceInTheData() throws Exception {
        awaitAllReady();
        RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'backends' }.data.front_door", equalTo("frontdoor"))
                .body("checks.find { it.name == 'backends' }.data.'coder-0'",
                        startsWith("ready (coder, http://127.0.0.1:"));
        RestAssured.get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void adminConfigShowsTheEffectiveConfigurationAndItsHash() {
        JsonPath json = RestAssured.get("/admin/config").then().statusCode(200).extract().jsonPath();
        assertTrue(json.getString("hash").matches("sha256:[0-9a-f]{16}"), json.getString("hash"));
        Map<String, Object> settings = json.getMap("settings");
        assertEquals(true, settings.get("mock_mode"));
        assertEquals("(none: authentication off)", settings.get("api_keys"));
        assertTrue(String.valueOf(settings.get("launcher")).startsWith("fake llama-server"));
        // a setting left unset shows the value in force: the overflow rule's own default (JsonPath reads a float)
        assertEquals(dev.echelon.tools.SandboxUids.DEFAULT_RANGE, settings.get("sandbox_uids"));
        assertEquals(true, settings.get("residency_overflow_enabled"));
        assertEquals(0.02, ((Number) settings.get("residency_overflow_max_share")).doubleValue(), 1e-6);
        assertEquals(3600.0, ((Number) settings.get("residency_overflow_tail_window_s")).doubleValue(), 1e-6);
        assertEquals("B", json.getString("registry.roles.coder.tier"));
        assertEquals(19851335840L, json.getLong("registry.roles.coder.model.variants[0].bytes"));
        assertEquals("draft_general", json.getString("registry.drafts[0].draft"));
    }

    @Test
    void fakeBackendsAnswerWithTheirRoleAsModelAlias() throws Exception {
        awaitAllReady();
        ServerProcess coder = supervisor.serversOf("coder").get(0);
        RestAssured.given().baseUri(coder.baseUrl().toString()).get("/props").then().statusCode(200)
                .body("model_alias", equalTo("coder"));
        JsonPath instances = RestAssured.get("/admin/instances").then().statusCode(200).extract().jsonPath();
        assertEquals(supervisor.servers().size(), instances.getList("$").size());
        assertEquals("ready", instances.getString("find { it.id == 'coder-0' }.state"));
    }
}
