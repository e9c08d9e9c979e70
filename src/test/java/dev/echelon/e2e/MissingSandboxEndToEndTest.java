package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.TestBackends;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without a sandbox (the launcher configured where nothing is), run_code refuses: the model is told, the request
 * still gets an answer, and the program never runs — in particular not unsandboxed.
 */
@QuarkusTest
@TestProfile(MissingSandboxProfile.class)
class MissingSandboxEndToEndTest {

    private static final Path MARKER = Path.of("target", "ran-without-sandbox").toAbsolutePath();

    @TestHTTPResource("/")
    URL url;
    @Inject
    Supervisor supervisor;

    @BeforeEach
    void backendsReady() throws Exception {
        TestBackends.awaitAllReady(supervisor);
        Files.deleteIfExists(MARKER);
    }

    @Test
    void runCodeIsRefusedClearlyAndNothingRuns() throws Exception {
        String question = "Please run this Python code and tell me what it prints:\n```python\n"
                + "open('" + MARKER + "', 'w').write('ran')\nprint(6*7*1001)\n```";
        JsonNode r = ToolLoopEndToEndTest.chat(url, ToolLoopEndToEndTest.ask("coder", question));
        JsonNode tools = r.path("x_echelon").path("tools");
        assertEquals(1, tools.size(), r.path("x_echelon").toString());
        assertEquals("run_code", tools.path(0).path("name").asText());
        assertFalse(tools.path(0).path("ok").asBoolean());
        String answer = r.path("choices").path(0).path("message").path("content").asText();
        assertTrue(answer.contains("run_code is unavailable"), "the refusal reached the model: " + answer);
        assertFalse(answer.contains("42042"), answer);
        assertFalse(Files.exists(MARKER), "the program did not run anywhere");
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("echelon_tool_calls_total")
                && l.contains("tool=\"run_code\"") && l.contains("outcome=\"refused\"")), "the refusal is counted");
    }
}
