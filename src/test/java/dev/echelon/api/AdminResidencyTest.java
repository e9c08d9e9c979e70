package dev.echelon.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /admin/residency} is an admin endpoint like {@code /admin/config}, and describes every managed role of
 * the shipped registry where the supervisor launched it (the shared test profile runs the static policy).
 */
@QuarkusTest
@TestProfile(KeyedProfile.class)
class AdminResidencyTest {

    @Test
    void needsAnAdminKey() {
        RestAssured.get("/admin/residency").then().statusCode(401);
        RestAssured.given().header("Authorization", "Bearer " + KeyedProfile.KEY).get("/admin/residency").then()
                .statusCode(401);
    }

    @Test
    void showsPlacementBudgetsAndTheLedger() {
        JsonPath json = RestAssured.given().header("Authorization", "Bearer " + KeyedProfile.ADMIN_KEY)
                .get("/admin/residency").then().statusCode(200).extract().jsonPath();
        assertEquals(true, json.getBoolean("enabled"));
        assertEquals("static", json.getString("policy"));
        assertEquals(24L << 30, json.getLong("budgets.gpu_bytes"));
        assertEquals(64L << 30, json.getLong("budgets.host_ram_bytes"));
        Map<String, Object> roles = json.getMap("roles");
        assertEquals(java.util.Set.of("frontdoor", "worker", "math", "coder", "architect"), roles.keySet());
        assertEquals("S2", json.getString("roles.coder.state"));
        assertEquals(48, json.getInt("roles.coder.gpu_layers"));
        assertEquals("q4_k_m", json.getString("roles.coder.variant"));
        assertTrue(json.getString("roles.coder.meaning").startsWith("partial"));
        assertTrue(json.getLong("roles.coder.footprint.gpu_bytes") > 0);
        assertEquals("S3", json.getString("roles.math.state"));
        assertEquals("S1", json.getString("roles.frontdoor.pin"));
        assertTrue(json.getDouble("pressure.gpu") > 0.9, "the shipped launch fills the 24 GiB GPU");
        assertTrue(json.getList("recent_transitions").isEmpty());
        assertTrue(json.getList("deferred").isEmpty());
    }
}
