package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.TestBackends;
import dev.echelon.supervisor.Supervisor;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tool loop end to end in mock mode: a user asks the coder to run a fenced Python snippet; the fake model calls
 * {@code run_code} with that code, Echelon runs it in the real sandbox (bubblewrap, as HostileCodeTest), feeds the
 * output back, and the model's final answer carries it. Also through LangChain4j's OpenAI client, blocking and
 * streamed, and with the client's own tools, which pass through untouched.
 */
@QuarkusTest
@TestProfile(ToolsProfile.class)
class ToolLoopEndToEndTest {

    static final String RUN_THIS = "Please run this Python code and tell me what it prints:\n"
            + "```python\nprint(6*7*1001)\n```";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/")
    URL url;
    @Inject
    Supervisor supervisor;

    @BeforeEach
    void backendsReady() throws Exception {
        TestBackends.awaitAllReady(supervisor);
    }

    static JsonNode chat(URL url, ObjectNode body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(TestBackends.base(url) + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static ObjectNode ask(String model, String question) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        return body;
    }

    @Test
    void theModelRunsTheSnippetInTheSandboxAndAnswersWithItsOutput() throws Exception {
        JsonNode r = chat(url, ask("coder", RUN_THIS));
        String answer = r.path("choices").path(0).path("message").path("content").asText();
        assertTrue(answer.contains("42042"), "the program's output is in the answer: " + answer);
        assertEquals("stop", r.path("choices").path(0).path("finish_reason").asText());
        JsonNode tools = r.path("x_echelon").path("tools");
        assertEquals(1, tools.size(), r.path("x_echelon").toString());
        assertEquals("run_code", tools.path(0).path("name").asText());
        assertTrue(tools.path(0).path("ok").asBoolean(), tools.toString());
        assertTrue(tools.path(0).path("duration_ms").asLong() > 0);
        assertFalse(tools.path(0).has("limit_hit"));
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("echelon_tool_calls_total")
                && l.contains("tool=\"run_code\"") && l.contains("outcome=\"ok\"")), "the run is counted");
    }

    @Test
    void aRawStreamCarriesOnlyTheFinalRoundAndTheToolsInItsLastEvent() throws Exception {
        ObjectNode body = ask("coder", RUN_THIS).put("stream", true);
        HttpRequest request = HttpRequest.newBuilder(URI.create(TestBackends.base(url) + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains(": running tools"), "the stream shows it is alive while the tool runs");
        StringBuilder text = new StringBuilder();
        JsonNode last = null;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                continue;
            }
            JsonNode event = JSON.readTree(line.substring(6));
            JsonNode delta = event.path("choices").path(0).path("delta");
            assertFalse(delta.has("tool_calls"), "no event of the tool round: " + line);
            text.append(delta.path("content").asText(""));
            last = event;
        }
        assertTrue(text.toString().contains("42042"), text.toString());
        assertEquals("run_code", last.path("x_echelon").path("tools").path(0).path("name").asText(), last.toString());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void theOptOutHeaderMeansNoServerTools() throws Exception {
        JsonNode r = chat(url, ask("coder", RUN_THIS), "X-Echelon-Tools", "off");
        assertFalse(r.path("x_echelon").has("tools"), r.path("x_echelon").toString());
        assertFalse(r.path("choices").path(0).path("message").path("content").asText().contains("42042"),
                "nothing ran, so the model could not know the output");
    }

    @Test
    void anInvalidOptOutHeaderIsAnOpenAiError() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(TestBackends.base(url) + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("X-Echelon-Tools", "sometimes")
                .POST(HttpRequest.BodyPublishers.ofString(ask("coder", RUN_THIS).toString())).build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertEquals("X-Echelon-Tools", error.path("param").asText(), r.body());
        assertEquals("invalid_request_error", error.path("type").asText());
    }

    @Test
    void clientDeclaredToolsPassThroughUntouched() throws Exception {
        ObjectNode body = ask("coder", "What is the weather in Paris? Use get_weather.");
        ObjectNode fn = body.putArray("tools").addObject().put("type", "function").putObject("function");
        fn.put("name", "get_weather").put("description", "Get the current weather for a city");
        ObjectNode params = fn.putObject("parameters").put("type", "object");
        params.putObject("properties").putObject("city").put("type", "string");
        params.putArray("required").add("city");
        JsonNode r = chat(url, body);
        assertEquals("tool_calls", r.path("choices").path(0).path("finish_reason").asText(), r.toString());
        JsonNode call = r.path("choices").path(0).path("message").path("tool_calls").path(0);
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals("Paris", JSON.readTree(call.path("function").path("arguments").asText()).path("city").asText());
        assertFalse(r.path("x_echelon").has("tools"), "Echelon ran nothing");
    }

    @Test
    void throughLangChain4jTheAnswerCarriesTheProgramsOutput() {
        ChatModel model = OpenAiChatModel.builder().baseUrl(TestBackends.base(url) + "/v1").apiKey("unused")
                .modelName("coder").timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        ChatResponse r = model.chat(UserMessage.from(RUN_THIS));
        assertFalse(r.aiMessage().hasToolExecutionRequests(), "the run_code round stayed inside Echelon");
        assertTrue(r.aiMessage().text().contains("42042"), r.aiMessage().text());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void streamedThroughLangChain4jOnlyTheFinalRoundArrives() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(TestBackends.base(url) + "/v1")
                .apiKey("unused").modelName("coder").timeout(Duration.ofSeconds(60)).build();
        StreamedChat stream = new StreamedChat();
        model.chat(RUN_THIS, stream);
        ChatResponse r = stream.await(60);
        String partials = stream.joined();
        assertFalse(r.aiMessage().hasToolExecutionRequests());
        assertTrue(partials.contains("42042"), partials);
        assertEquals(partials, r.aiMessage().text());
    }
}
