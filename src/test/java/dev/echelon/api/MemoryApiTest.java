package dev.echelon.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory through the API, black box over HTTP with two keys: served exchanges are remembered and recalled into the
 * same key's later requests (visibly: in {@code x_echelon.memory} and in the prompt's token count), and one key never
 * sees the other's memories in recall, search, list, get, delete or feedback.
 */
@QuarkusTest
@TestProfile(MemoryProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MemoryApiTest {

    private static final String QUESTION = "How do I rotate the TLS certificates of the staging nginx proxy?";

    private static RequestSpecification as(String key) {
        return RestAssured.given().header("Authorization", "Bearer " + key).contentType("application/json");
    }

    private static Response chat(String key, String question, Map<String, String> headers) {
        String body = "{\"model\":\"worker\",\"max_tokens\":48,\"messages\":[{\"role\":\"user\",\"content\":"
                + Http.JSON.valueToTree(question) + "}]}";
        return as(key).headers(headers).body(body).post("/v1/chat/completions");
    }

    private static int total(String key) {
        return as(key).get("/v1/memory?limit=1000").then().statusCode(200).extract().jsonPath().getInt("total");
    }

    /** Memory writes are asynchronous: wait until the key holds {@code n} memories. */
    private static void awaitTotal(String key, int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (total(key) < n && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        assertEquals(n, total(key), "memories of " + key);
    }

    @Test
    @Order(1)
    void anExchangeIsRememberedAndRecalledIntoTheSameKeysNextRequestOnly() throws Exception {
        JsonPath first = chat(MemoryProfile.KEY_A, QUESTION, Map.of()).then().statusCode(200).extract().jsonPath();
        assertTrue(first.getList("x_echelon.memory.recalled") == null, "nothing to recall yet");
        awaitTotal(MemoryProfile.KEY_A, 1);
        JsonPath listed = as(MemoryProfile.KEY_A).get("/v1/memory").then().statusCode(200).extract().jsonPath();
        long id = listed.getLong("data[0].id");
        assertTrue(listed.getString("data[0].text").startsWith("Q: " + QUESTION + "\nA: "));
        assertEquals("worker", listed.getString("data[0].role"));
        assertEquals(0.5, listed.getDouble("data[0].usefulness"), 1e-9);

        JsonPath second = chat(MemoryProfile.KEY_A, QUESTION, Map.of()).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(id), second.getList("x_echelon.memory.recalled", Long.class));
        assertTrue(second.getInt("usage.prompt_tokens") > first.getInt("usage.prompt_tokens") + 10,
                "the recalled block reached the backend's prompt: " + first.getInt("usage.prompt_tokens") + " → "
                        + second.getInt("usage.prompt_tokens"));

        // the other key asks the very same question: nothing of A's is recalled, and its prompt is A's first one
        JsonPath other = chat(MemoryProfile.KEY_B, QUESTION, Map.of()).then().statusCode(200).extract().jsonPath();
        assertTrue(other.getList("x_echelon.memory.recalled") == null, "B recalls nothing of A's");
        assertEquals(first.getInt("usage.prompt_tokens"), other.getInt("usage.prompt_tokens"));
        awaitTotal(MemoryProfile.KEY_B, 1);

        // B can neither search, list, read, rate nor delete A's memory
        JsonPath found = as(MemoryProfile.KEY_B).body("{\"query\":" + Http.JSON.valueToTree(QUESTION) + ",\"k\":50}")
                .post("/v1/memory/search").then().statusCode(200).extract().jsonPath();
        List<Long> bIds = as(MemoryProfile.KEY_B).get("/v1/memory").then().statusCode(200).extract().jsonPath()
                .getList("data.id", Long.class);
        assertFalse(bIds.contains(id));
        assertFalse(found.getList("data.id", Long.class).contains(id));
        assertTrue(bIds.containsAll(found.getList("data.id", Long.class)), "B's search finds only B's own");
        as(MemoryProfile.KEY_B).get("/v1/memory/" + id).then().statusCode(404);
        as(MemoryProfile.KEY_B).body("{\"reward\":1}").post("/v1/memory/" + id + "/feedback").then().statusCode(404);
        as(MemoryProfile.KEY_B).delete("/v1/memory/" + id).then().statusCode(404);
        as(MemoryProfile.KEY_A).get("/v1/memory/" + id).then().statusCode(200);

        // rating the answer that used the memory rates the memory
        String requestId = second.getString("x_echelon.request_id");
        JsonPath rated = as(MemoryProfile.KEY_A).body("{\"id\":\"" + requestId + "\",\"rating\":1}")
                .post("/v1/feedback").then().statusCode(200).extract().jsonPath();
        assertEquals(id, rated.getLong("memories[0].id"));
        assertEquals(0.6, rated.getDouble("memories[0].usefulness"), 1e-9, "Q ← 0.5 + 0.2 (1 − 0.5)");
    }

    @Test
    @Order(2)
    void explicitMemoriesAreStoredDurablySearchedAndRated() {
        JsonPath stored = as(MemoryProfile.KEY_A).body("{\"text\":\"The staging cluster runs Kubernetes 1.31 on "
                + "three bare-metal nodes\",\"session\":\"ops\"}").post("/v1/memory").then().statusCode(201).extract()
                .jsonPath();
        long id = stored.getLong("id");
        assertEquals("memory", stored.getString("object"));
        assertEquals("ops", stored.getString("session"));
        JsonPath hits = as(MemoryProfile.KEY_A).body("{\"query\":\"which Kubernetes version runs on the staging "
                + "cluster\",\"k\":3}").post("/v1/memory/search").then().statusCode(200).extract().jsonPath();
        assertEquals(id, hits.getLong("data[0].id"));
        assertTrue(hits.getDouble("data[0].similarity") > 0.3);
        assertEquals(hits.getDouble("data[0].similarity") * 0.5, hits.getDouble("data[0].score"), 1e-3);
        JsonPath rated = as(MemoryProfile.KEY_A).body("{\"reward\":0}").post("/v1/memory/" + id + "/feedback")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(0.4, rated.getDouble("usefulness"), 1e-9);
        as(MemoryProfile.KEY_B).body("{\"query\":\"which Kubernetes version runs on the staging cluster\"}")
                .post("/v1/memory/search").then().statusCode(200).extract().jsonPath().getList("data.id", Long.class)
                .forEach(other -> assertTrue(other != id));
    }

    @Test
    @Order(3)
    void theMemoryHeaderTurnsRecallAndRecordingOffPerRequest() throws Exception {
        int before = total(MemoryProfile.KEY_A);
        JsonPath off = chat(MemoryProfile.KEY_A, QUESTION, Map.of("X-Echelon-Memory", "off")).then().statusCode(200)
                .extract().jsonPath();
        assertTrue(off.getList("x_echelon.memory.recalled") == null, "off: nothing recalled");
        Thread.sleep(300);
        assertEquals(before, total(MemoryProfile.KEY_A), "off: nothing recorded");
        JsonPath recallOnly = chat(MemoryProfile.KEY_A, QUESTION, Map.of("X-Echelon-Memory", "recall")).then()
                .statusCode(200).extract().jsonPath();
        assertFalse(recallOnly.getList("x_echelon.memory.recalled").isEmpty());
        Thread.sleep(300);
        assertEquals(before, total(MemoryProfile.KEY_A), "recall only: nothing recorded");
        chat(MemoryProfile.KEY_A, QUESTION, Map.of("X-Echelon-Memory", "sometimes")).then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("X-Echelon-Memory"));
    }

    @Test
    @Order(4)
    void malformedCallsGetErrorsNamingTheField() {
        as(MemoryProfile.KEY_A).body("{}").post("/v1/memory").then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("text"));
        as(MemoryProfile.KEY_A).body("{\"text\":5}").post("/v1/memory").then().statusCode(400)
                .body("error.code", org.hamcrest.Matchers.equalTo("invalid_type"));
        as(MemoryProfile.KEY_A).body("{\"query\":\"x\",\"k\":0}").post("/v1/memory/search").then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("k"));
        as(MemoryProfile.KEY_A).body("{\"reward\":2}").post("/v1/memory/1/feedback").then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("reward"));
        as(MemoryProfile.KEY_A).get("/v1/memory/abc").then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("id"));
        as(MemoryProfile.KEY_A).get("/v1/memory?limit=0").then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("limit"));
        as(MemoryProfile.KEY_A).put("/v1/memory").then().statusCode(405).header("Allow", "GET, POST, DELETE");
        RestAssured.get("/v1/memory").then().statusCode(401);
    }

    @Test
    @Order(5)
    void healthSaysWhatTheIndexIsAndPurgeNeedsAnAdminKey() {
        JsonPath live = RestAssured.get("/q/health/live").then().statusCode(200).extract().jsonPath();
        Map<String, Object> memory = live.getMap("checks.find { it.name == 'memory' }.data");
        assertTrue(memory.containsKey("vector_backend"), memory.toString());
        assertTrue(memory.containsKey("index"), memory.toString());
        as(MemoryProfile.KEY_A).post("/admin/memory/purge").then().statusCode(401);
        as(MemoryProfile.ADMIN_KEY).post("/admin/memory/purge").then().statusCode(200)
                .body("purged", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    @Order(6)
    void aKeyCanForgetEverythingItsOwnOnly() {
        int b = total(MemoryProfile.KEY_B);
        assertTrue(total(MemoryProfile.KEY_A) > 0);
        as(MemoryProfile.KEY_A).delete("/v1/memory").then().statusCode(200);
        assertEquals(0, total(MemoryProfile.KEY_A));
        assertEquals(b, total(MemoryProfile.KEY_B), "B's memories stay");
    }
}
