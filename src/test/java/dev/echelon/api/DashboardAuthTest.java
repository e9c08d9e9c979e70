package dev.echelon.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard page at {@code /} is public but holds no data; its data, {@code /admin/dashboard.json}, needs an admin
 * key like every {@code /admin} route (an API key is not enough once admin keys are set).
 */
@QuarkusTest
@TestProfile(KeyedProfile.class)
class DashboardAuthTest {

    @Test
    void thePageIsChromeWithoutData() {
        String page = RestAssured.get("/").then().statusCode(200).contentType("text/html").extract().asString();
        assertTrue(page.contains("/admin/dashboard.json"), "the page fetches its data");
        for (String role : Set.of("frontdoor", "worker", "coder", "architect")) {
            assertFalse(page.contains(role), "no role name in the page itself: " + role);
        }
        assertFalse(page.contains("http://") && page.contains("<script src"), "no external script");
    }

    @Test
    void theDataNeedsAnAdminKey() {
        RestAssured.get("/admin/dashboard.json").then().statusCode(401);
        RestAssured.given().header("Authorization", "Bearer " + KeyedProfile.KEY).get("/admin/dashboard.json")
                .then().statusCode(401);
        JsonPath json = RestAssured.given().header("Authorization", "Bearer " + KeyedProfile.ADMIN_KEY)
                .get("/admin/dashboard.json").then().statusCode(200).extract().jsonPath();
        // the sampler takes its first sample at startup: every managed role has a state row already
        assertEquals(Set.of("frontdoor", "worker", "math", "coder", "architect"),
                json.getMap("residency.states").keySet());
        assertTrue(json.getMap("queue_depth").containsKey("frontdoor"), "a queue-depth entry per role");
        assertEquals(300, json.getInt("window_seconds"));
    }
}
