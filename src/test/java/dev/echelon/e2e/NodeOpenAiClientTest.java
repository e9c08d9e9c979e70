package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Echelon through the official OpenAI Node SDK ({@code openai} 6.49.0, pinned in src/test/node/package-lock.json):
 * {@code src/test/node/openai-client.mjs} lists models, chats, streams with usage, runs a tool-call round trip,
 * embeds, and checks the SDK's errors; this test runs it against the Quarkus under test and checks its summary.
 * {@code ./echelon test} installs node and the SDK first; without them this test fails and says so.
 */
@QuarkusTest
class NodeOpenAiClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path NODE_DIR = Path.of("src/test/node");
    private static final Path SCRIPT = NODE_DIR.resolve("openai-client.mjs");
    private static final String HOW_TO_INSTALL = "run the README's test command `./echelon test` (it installs node "
            + "and runs `npm ci` in src/test/node), or by hand: (cd src/test/node && npm ci)";

    @TestHTTPResource("/")
    URL url;
    @Inject
    Supervisor supervisor;

    @Test
    void officialNodeSdkWorksAgainstEchelon() throws Exception {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath() + " is missing");
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/openai"))) {
            fail("The OpenAI Node SDK is not installed (" + NODE_DIR.resolve("node_modules/openai").toAbsolutePath()
                    + " is missing): " + HOW_TO_INSTALL);
        }
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(30)))
                .toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);

        String baseUrl = "http://127.0.0.1:" + url.getPort() + "/v1";
        Path out = Files.createTempFile("openai-client", ".out");
        Path err = Files.createTempFile("openai-client", ".err");
        Process node;
        try {
            node = new ProcessBuilder(List.of("node", SCRIPT.toString(), baseUrl)).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
        } catch (java.io.IOException e) {
            fail("Cannot run node (" + e.getMessage() + "): " + HOW_TO_INSTALL);
            return;
        }
        boolean exited = node.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            node.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8).strip();
        String stderr = Files.readString(err, StandardCharsets.UTF_8).strip();
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        System.out.println("openai-client.mjs: " + stdout);
        assertTrue(exited, "openai-client.mjs finished within 60 s\nstdout: " + stdout + "\nstderr: " + stderr);
        assertEquals(0, node.exitValue(), "openai-client.mjs exit status\nstdout: " + stdout + "\nstderr: " + stderr);

        String[] lines = stdout.split("\n");
        JsonNode summary = JSON.readTree(lines[lines.length - 1]);
        assertTrue(summary.path("ok").asBoolean(), stdout);
        assertEquals("6.49.0", summary.path("sdk").asText(), "the pinned SDK version ran");
        List<String> models = JSON.convertValue(summary.path("models"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        assertTrue(models.containsAll(List.of("auto", "frontdoor", "worker", "math", "coder", "architect", "embedder")),
                "models: " + models);

        assertEquals("frontdoor", summary.path("chat").path("role").asText());
        assertEquals("A", summary.path("chat").path("tier").asText());
        assertTrue(summary.path("chat").path("chars").asInt() > 0);

        JsonNode stream = summary.path("stream");
        assertTrue(stream.path("deltas").asInt() >= 2, "stream: " + stream);
        assertTrue(stream.path("usage").path("completion_tokens").asInt() > 0, "stream usage: " + stream);
        assertEquals("frontdoor", stream.path("x_echelon").path("role").asText(), "stream x_echelon: " + stream);
        assertTrue(stream.path("x_echelon").path("request_id").asText().length() > 0, "stream x_echelon: " + stream);

        JsonNode tools = summary.path("tools");
        assertEquals("get_weather", tools.path("name").asText(), "tools: " + tools);
        assertTrue(tools.path("arguments").path("city").isTextual(), "tools: " + tools);
        assertTrue(tools.path("answer").asText().length() > 0, "tools: " + tools);

        assertEquals(384, summary.path("embeddings").path("dimensions").asInt(), summary.toString());

        assertEquals(404, summary.path("errors").path("unknown_model").path("status").asInt());
        assertEquals("model_not_found", summary.path("errors").path("unknown_model").path("code").asText());
        assertEquals(400, summary.path("errors").path("n_2").path("status").asInt());
        assertEquals("n", summary.path("errors").path("n_2").path("param").asText());
    }
}
