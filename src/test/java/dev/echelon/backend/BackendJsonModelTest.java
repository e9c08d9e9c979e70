package dev.echelon.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON shape of the request/response records, independent of the client. */
class BackendJsonModelTest {

    final ObjectMapper mapper = BackendJson.mapper();

    @Test
    void completionRequestSerialisesSnakeCaseWithoutNullsAndMergesExtra() {
        CompletionRequest r = CompletionRequest.builder()
                .prompt("hi").nPredict(5).nProbs(2).topK(40).topP(0.9).minP(0.05).idSlot(1)
                .jsonSchema(mapper.createObjectNode().put("type", "object"))
                .speculative(new CompletionRequest.Speculative(4, null, null))
                .extra("repeat_penalty", 1.1).extra(Map.of("n_keep", 3))
                .build();
        JsonNode j = mapper.valueToTree(r);
        assertEquals("hi", j.get("prompt").asText());
        assertEquals(5, j.get("n_predict").asInt());
        assertEquals(2, j.get("n_probs").asInt());
        assertEquals(40, j.get("top_k").asInt());
        assertEquals(1, j.get("id_slot").asInt());
        assertEquals("object", j.at("/json_schema/type").asText());
        assertEquals(4, j.at("/speculative/n_max").asInt());
        assertFalse(j.get("speculative").has("n_min"));
        assertEquals(1.1, j.get("repeat_penalty").asDouble());
        assertEquals(3, j.get("n_keep").asInt());
        assertFalse(j.has("extra"));
        assertFalse(j.has("stream"));
        assertFalse(j.has("seed"));
        assertFalse(j.has("grammar"));
    }

    @Test
    void requestsAreImmutableAndBuildersCopy() {
        CompletionRequest a = CompletionRequest.ofPrompt("x");
        CompletionRequest b = a.withStream(true).withExtra("k", 1);
        assertNull(a.stream());
        assertTrue(a.extra().isEmpty());
        assertTrue(b.stream());
        assertEquals(1, b.extra().get("k"));
        assertEquals("x", b.prompt());
    }

    @Test
    void chatRequestRoundTripsUnknownFieldsAndSingleStop() throws Exception {
        String json = "{\"model\":\"echelon\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Hel\"},{\"type\":\"text\",\"text\":\"lo\"}]},{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}],"
                + "\"stop\":\"END\",\"max_tokens\":7,\"tool_choice\":\"auto\",\"response_format\":{\"type\":\"json_object\"},"
                + "\"mirostat\":2,\"logit_bias\":{\"15\":-100}}";
        ChatRequest r = mapper.readValue(json, ChatRequest.class);
        assertEquals("echelon", r.model());
        assertEquals(List.of("END"), r.stop());
        assertEquals(7, r.maxTokens());
        assertEquals("Hello", r.messages().get(0).contentText());
        assertEquals("c1", r.messages().get(1).toolCalls().get(0).get("id").asText());
        assertNull(r.messages().get(1).contentText());
        assertEquals("c1", r.messages().get(2).toolCallId());
        assertEquals("auto", r.toolChoice().asText());
        assertEquals("json_object", r.responseFormat().get("type").asText());
        assertEquals(2, r.extra().get("mirostat"));
        assertTrue(r.extra().containsKey("logit_bias"));

        JsonNode back = mapper.valueToTree(r);
        assertEquals(2, back.get("mirostat").asInt());
        assertEquals(-100, back.at("/logit_bias/15").asInt());
        assertEquals("END", back.get("stop").get(0).asText());
        assertEquals("text", back.at("/messages/0/content/0/type").asText());
        assertFalse(back.has("extra"));
        assertFalse(back.has("temperature"));
    }

    @Test
    void completionResponseIgnoresUnknownAndKeepsGenerationSettings() throws Exception {
        CompletionResponse r = mapper.readValue(Recorded.require("completion_n0.json"), CompletionResponse.class);
        assertEquals(" \"", r.content());
        assertEquals(5, r.completionProbabilities().get(0).topLogprobs().size());
        assertEquals(0, r.generationSettings().get("n_predict").asInt());
        assertEquals("<s> Once upon a time, Tom went to the park.", r.prompt().asText());
        JsonNode out = mapper.valueToTree(r);
        assertFalse(out.has("stopped"), "helpers must not become JSON properties: " + out.fieldNames());
        assertTrue(out.get("stop").asBoolean());
    }

    @Test
    void chunkHelpersAreNotSerialised() {
        CompletionResponse c = new CompletionResponse(0, "a", null, null, true, null, null, null, null, null, null, null,
                null, null, null, null, null);
        JsonNode j = mapper.valueToTree(c);
        assertTrue(j.get("stop").asBoolean());
        assertFalse(j.has("final"));
        assertFalse(j.has("stopped"));
        assertTrue(c.isStopped());
    }

    @Test
    void propsAndTokenizeDeserialiseWithAnyMapper() throws Exception {
        Props p = mapper.readValue(Recorded.require("props.json"), Props.class);
        assertEquals(2, p.totalSlots());
        assertEquals("tiny-target", mapper.valueToTree(p).get("model_alias").asText());
        TokenizeResult t = mapper.readValue("{\"tokens\":[{\"id\":5,\"piece\":[226,130,172]}]}",
                TokenizeResult.class);
        assertEquals(List.of(5), t.ids());
        assertEquals("€", t.pieces().get(0));
    }

    @Test
    void timingsDraftAcceptance() {
        Timings none = new Timings(0, 1, 1.0, 1.0, 1.0, 1, 1.0, 1.0, 1.0, null, null);
        assertTrue(none.draftAcceptance().isEmpty());
        Timings zero = new Timings(0, 1, 1.0, 1.0, 1.0, 1, 1.0, 1.0, 1.0, 0, 0);
        assertTrue(zero.draftAcceptance().isEmpty());
        Timings some = new Timings(0, 1, 1.0, 1.0, 1.0, 1, 1.0, 1.0, 1.0, 59, 48);
        assertEquals(48.0 / 59.0, some.draftAcceptance().getAsDouble(), 1e-12);
    }
}
