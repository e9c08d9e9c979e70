package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.TestBackends;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Echelon's MCP server over Streamable HTTP with API keys set, driven by the official MCP TypeScript SDK
 * ({@code @modelcontextprotocol/sdk} 1.32.2: src/test/node/mcp-client.mjs — every tool and resource, malformed
 * arguments as tool errors, refusal without a key or with a wrong one) and by the MCP Inspector CLI
 * ({@code @modelcontextprotocol/inspector} 0.15.0), which cannot send a key and must therefore be refused.
 */
@QuarkusTest
@TestProfile(McpProfile.class)
class McpHttpClientsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/mcp")
    URL mcp;
    @Inject
    Supervisor supervisor;

    @BeforeEach
    void backendsReady() throws Exception {
        TestBackends.awaitAllReady(supervisor);
    }

    @Test
    void officialSdkClientUsesEveryToolAndResourceWithAKey() throws Exception {
        NodeCommand.requireInstalled("@modelcontextprotocol/sdk");
        NodeCommand run = NodeCommand.run(List.of("node", NodeCommand.NODE_DIR.resolve("mcp-client.mjs").toString(),
                "http", url(), McpProfile.KEY), Map.of(), 120);
        System.out.println("mcp-client.mjs (http): " + run.stdout());
        assertTrue(run.finished(), run.describe());
        assertEquals(0, run.exitCode(), run.describe());
        JsonNode summary = JSON.readTree(run.lastLine());
        assertTrue(summary.path("ok").asBoolean(), run.stdout());
        assertEquals("1.32.2", summary.path("sdk").asText(), "the pinned SDK ran");
        assertEquals(List.of("chat", "list_roles", "memory_search", "memory_store", "residency_status",
                "route_explain", "run_code", "web_fetch"), JSON.convertValue(summary.path("tools"), List.class));
        assertEquals(3, summary.path("resources").size());
        JsonNode results = summary.path("results");
        assertEquals("worker", results.path("chat_named").asText());
        assertTrue(results.path("memory").path("stored").asLong() > 0, "memory on in this profile: " + results);
        assertTrue(results.path("run_code").asText().contains("42042"), results.toString());
        assertEquals(7, summary.path("malformed").size());
        assertEquals(2, summary.path("refused").size(), "no key and a wrong key were both refused: " + summary);
    }

    @Test
    void inspectorCliWithoutAKeyIsRefused() throws Exception {
        NodeCommand.requireInstalled("@modelcontextprotocol/inspector");
        NodeCommand run = McpInspector.run(List.of(url(), "--transport", "http", "--method", "tools/list"));
        assertTrue(run.finished(), run.describe());
        assertNotEquals(0, run.exitCode(), "the Inspector (no key) must be refused: " + run.describe());
        assertTrue(run.stderr().contains("Missing bearer authentication"), "the refusal says why: " + run.describe());
    }

    @Test
    void aSessionBelongsToTheKeyThatOpenedIt() {
        given().contentType("application/json").accept("application/json, text/event-stream").body(INITIALIZE)
                .post("/mcp").then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        String session = given().header("Authorization", "Bearer " + McpProfile.KEY).contentType("application/json")
                .accept("application/json, text/event-stream").body(INITIALIZE).post("/mcp").then().statusCode(200)
                .extract().header("Mcp-Session-Id");
        assertNotNull(session, "initialize opens a session");
        String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
        // another valid key cannot ride on the session
        given().header("Authorization", "Bearer " + McpProfile.OTHER_KEY).header("Mcp-Session-Id", session)
                .contentType("application/json").accept("application/json, text/event-stream").body(list)
                .post("/mcp").then().statusCode(404);
        given().header("Authorization", "Bearer " + McpProfile.KEY).header("Mcp-Session-Id", session)
                .contentType("application/json").accept("application/json, text/event-stream").body(list)
                .post("/mcp").then().statusCode(200).body(containsString("memory_search"));
    }

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    private String url() {
        return "http://127.0.0.1:" + mcp.getPort() + "/mcp";
    }
}
