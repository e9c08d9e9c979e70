package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.supervisor.Supervisor;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Echelon through LangChain4j's OpenAI client, as a Java application would use it: chat, streaming, a tool-call
 * round trip (blocking and streamed), the routed model ids, and an unknown model. Every backend is a fake
 * llama-server (the %test profile is mock mode).
 */
@QuarkusTest
class LangChain4jClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEATHER_QUESTION = "What is the weather in Paris? Use get_weather.";
    private static final ToolSpecification GET_WEATHER = ToolSpecification.builder()
            .name("get_weather")
            .description("Get the current weather for a city")
            .parameters(JsonObjectSchema.builder()
                    .addStringProperty("city", "The city, for example Berlin")
                    .required("city")
                    .build())
            .build();

    @TestHTTPResource("/")
    URL url;
    @Inject
    Supervisor supervisor;

    @BeforeEach
    void backendsReady() throws Exception {
        CompletableFuture.allOf(supervisor.servers().stream().map(s -> s.awaitReady(Duration.ofSeconds(30)))
                .toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
    }

    private String baseUrl() {
        return "http://localhost:" + url.getPort() + "/v1";
    }

    private ChatModel chatModel(String model) {
        return OpenAiChatModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(model).maxTokens(64)
                .timeout(Duration.ofSeconds(30)).maxRetries(0).build();
    }

    private StreamingChatModel streamingModel(String model) {
        return OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(model).maxTokens(64)
                .timeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void theTestPortIsTheOneQuarkusListensOn() {
        // both ways of finding the random test port agree in this Quarkus version
        int configured = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        assertTrue(url.getPort() > 0, url.toString());
        assertEquals(url.getPort(), configured);
    }

    @Test
    void chatAnswersWithText() {
        ChatResponse r = chatModel("frontdoor").chat(UserMessage.from("Hello! Tell me something about the sea."));
        String text = r.aiMessage().text();
        assertNotNull(text);
        assertFalse(text.isBlank(), "non-empty answer");
        assertFalse(r.aiMessage().hasToolExecutionRequests());
        assertEquals("frontdoor", r.modelName(), "the model id echoes what was asked");
        assertNotNull(r.tokenUsage());
        assertTrue(r.tokenUsage().inputTokenCount() > 0, r.tokenUsage().toString());
        assertTrue(r.tokenUsage().outputTokenCount() > 0, r.tokenUsage().toString());
        assertTrue(r.finishReason() == FinishReason.STOP || r.finishReason() == FinishReason.LENGTH,
                String.valueOf(r.finishReason()));
        assertTrue(r.id() != null && !r.id().isBlank(), "has an id");
    }

    @Test
    void simpleStringChat() {
        String answer = chatModel("frontdoor").chat("Say hello.");
        assertNotNull(answer);
        assertFalse(answer.isBlank());
    }

    @Test
    void streamingDeliversPartialResponsesThenTheCompleteResponse() throws Exception {
        StreamedChat stream = new StreamedChat();
        streamingModel("frontdoor").chat("Tell me about rivers and mountains.", stream);
        ChatResponse r = stream.await(30);
        List<String> partials = stream.partials;
        assertTrue(partials.size() >= 2, "several partial responses, got " + partials);
        String joined = String.join("", partials);
        assertFalse(joined.isBlank());
        assertEquals(joined, r.aiMessage().text(), "the complete response is the partials joined");
        assertNotNull(r.tokenUsage(), "usage from the stream's final event");
        assertTrue(r.finishReason() == FinishReason.STOP || r.finishReason() == FinishReason.LENGTH,
                String.valueOf(r.finishReason()));
        // one partial response per generated token; like llama-server, the count includes the end-of-sequence token
        int expected = r.tokenUsage().outputTokenCount() - (r.finishReason() == FinishReason.STOP ? 1 : 0);
        assertEquals(expected, partials.size(), "one partial response per generated token: " + r.tokenUsage());
    }

    @Test
    void toolCallRoundTrip() throws Exception {
        ChatModel model = chatModel("frontdoor");
        UserMessage question = UserMessage.from(WEATHER_QUESTION);
        ChatResponse first = model.chat(ChatRequest.builder().messages(question).toolSpecifications(GET_WEATHER)
                .build());
        AiMessage call = first.aiMessage();
        assertTrue(call.hasToolExecutionRequests(), "the model calls the tool: " + call);
        assertEquals(FinishReason.TOOL_EXECUTION, first.finishReason());
        ToolExecutionRequest request = call.toolExecutionRequests().get(0);
        assertEquals("get_weather", request.name());
        assertTrue(request.id() != null && request.id().startsWith("call_"), request.id());
        JsonNode args = JSON.readTree(request.arguments());
        assertTrue(args.isObject(), "arguments are a JSON object: " + request.arguments());
        assertTrue(args.path("city").isTextual() && !args.path("city").asText().isBlank(),
                "the required city is filled in: " + request.arguments());
        assertEquals("Paris", args.path("city").asText(), "the city comes from the question");

        ToolExecutionResultMessage result = ToolExecutionResultMessage.from(request,
                "{\"city\":\"Paris\",\"temperature_c\":18,\"conditions\":\"sunny\"}");
        ChatResponse answer = model.chat(ChatRequest.builder().messages(question, call, result)
                .toolSpecifications(GET_WEATHER).build());
        assertFalse(answer.aiMessage().hasToolExecutionRequests(), "after the tool result the model answers in text");
        String text = answer.aiMessage().text();
        assertTrue(text != null && !text.isBlank(), "a text answer after the tool result");
        assertTrue(answer.finishReason() == FinishReason.STOP || answer.finishReason() == FinishReason.LENGTH,
                String.valueOf(answer.finishReason()));
    }

    @Test
    void streamedToolCallIsAssembledFromDeltas() throws Exception {
        StreamedChat stream = new StreamedChat();
        streamingModel("frontdoor").chat(ChatRequest.builder().messages(UserMessage.from(WEATHER_QUESTION))
                .toolSpecifications(GET_WEATHER).build(), stream);
        ChatResponse r = stream.await(30);
        List<String> partialText = stream.partials;
        assertTrue(r.aiMessage().hasToolExecutionRequests(), "streamed tool call: " + r.aiMessage());
        ToolExecutionRequest request = r.aiMessage().toolExecutionRequests().get(0);
        assertEquals("get_weather", request.name());
        assertEquals("Paris", JSON.readTree(request.arguments()).path("city").asText(), request.arguments());
        assertTrue(partialText.stream().allMatch(String::isEmpty), "no text content beside the tool call: "
                + partialText);
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());
    }

    @Test
    void routedModelIdsAnswer() {
        for (String model : List.of("auto", "tier-b")) {
            ChatResponse r = chatModel(model).chat(UserMessage.from("Hello there, how are you?"));
            assertFalse(r.aiMessage().text() == null || r.aiMessage().text().isBlank(), model + ": non-empty answer");
            assertEquals(model, r.modelName(), "the answer names the model id the client asked for");
        }
    }

    @Test
    void unknownModelFailsWithModelNotFound() {
        Exception e = assertThrows(Exception.class, () -> chatModel("no-such-model").chat("Hello"));
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("model_not_found") || message.contains("404"),
                e.getClass().getName() + ": " + message);
        assertTrue(message.contains("no-such-model"), "the message names the model: " + message);
    }
}
