package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.List;

/** One generation request, parsed from any of the three generation endpoints. */
final class GenRequest {

    enum Api { COMPLETION, OAI_COMPLETION, CHAT }

    static final long DEFAULT_SEED = 4294967295L;

    Api api;
    List<Integer> promptTokens = List.of();
    /** What the model reads the request as (the last user message for chat, the prompt otherwise). */
    String analysisText = "";
    /** The raw prompt text a completion continues ("" for chat). */
    String promptText = "";
    int nPredict = -1;
    int nProbs;
    boolean postSamplingProbs;
    List<String> stop = List.of();
    /** Seed as given (reported back), DEFAULT_SEED when absent or -1. */
    long seed = DEFAULT_SEED;
    double temperature = 0.8;
    int topK = 40;
    double topP = 0.95;
    double minP = 0.05;
    boolean stream;
    boolean ignoreEos;
    boolean cachePrompt = true;
    boolean json;
    JsonNode jsonSchema;
    String grammar = "";
    Integer specNMax;
    Integer specNMin;
    Double specPMin;
    boolean chatLogprobs;
    int idSlot = -1;
    boolean returnTokens = true;
    String generationPrompt = "";
    /** Chat with tools: the function the model calls instead of answering in text, or null. */
    ToolCalls.Function toolCall;
    /** Chat after tool results: the sentence that opens the answer, taking the results up ("" otherwise). */
    String toolPreface = "";

    /** Stops as a JSON array. */
    ArrayNode stopArray() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        stop.forEach(a::add);
        return a;
    }

    static List<String> stops(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isTextual()) {
            if (!node.asText().isEmpty()) {
                out.add(node.asText());
            }
        } else if (node.isArray()) {
            for (JsonNode s : node) {
                if (s.isTextual() && !s.asText().isEmpty()) {
                    out.add(s.asText());
                }
            }
        }
        return out;
    }
}
