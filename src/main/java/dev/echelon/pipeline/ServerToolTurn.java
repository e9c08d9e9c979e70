package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An assistant turn that calls Echelon's own tools, which the tool loop answers instead of the client: whether a turn
 * (or the first event of a stream) is one, and — for a stream — the turn reassembled from its text and tool-call
 * deltas (by index), with every event kept once in order.
 */
final class ServerToolTurn {

    /**
     * The calls in {@code calls} that name one of Echelon's own tools, in order; empty when there are none. A turn
     * that also calls the client's tools is answered by Echelon for its own part only: the client's calls are left
     * out of the round (the model sees Echelon's results and asks for the client's tool again if it still needs it,
     * in a turn the client receives), so a client never sees a call to a tool it did not declare.
     */
    static ArrayNode serverCalls(JsonNode calls, Set<String> serverTools) {
        ArrayNode mine = JsonNodeFactory.instance.arrayNode();
        if (serverTools.isEmpty() || calls == null || !calls.isArray()) {
            return mine;
        }
        for (JsonNode c : calls) {
            if (serverTools.contains(c.path("function").path("name").asText(""))) {
                mine.add(c);
            }
        }
        return mine;
    }

    /** Whether a stream event opens a tool call (its first delta names the function) of one of Echelon's tools. */
    static boolean starts(JsonNode event, Set<String> serverTools) {
        if (serverTools.isEmpty()) {
            return false;
        }
        for (JsonNode c : event.path("choices").path(0).path("delta").path("tool_calls")) {
            if (serverTools.contains(c.path("function").path("name").asText(""))) {
                return true;
            }
        }
        return false;
    }

    /** The assistant message of a tool round, as the next round's request repeats it. */
    static ObjectNode assistantMessage(JsonNode content, JsonNode toolCalls) {
        ObjectNode m = JsonNodeFactory.instance.objectNode().put("role", "assistant");
        if (content != null && content.isTextual() && !content.asText().isEmpty()) {
            m.put("content", content.asText());
        } else {
            m.putNull("content");
        }
        m.set("tool_calls", toolCalls.deepCopy());
        return m;
    }

    private final List<ObjectNode> events = new ArrayList<>();
    private final StringBuilder content = new StringBuilder();
    private final TreeMap<Integer, ObjectNode> calls = new TreeMap<>();
    private final Map<Integer, StringBuilder> arguments = new HashMap<>();

    /** Each event once, in stream order (the held events first, then each new one as it arrives). */
    void add(ObjectNode event) {
        events.add(event);
        JsonNode delta = event.path("choices").path(0).path("delta");
        if (delta.path("content").isTextual()) {
            content.append(delta.get("content").asText());
        }
        for (JsonNode d : delta.path("tool_calls")) {
            int index = d.path("index").asInt(calls.size());
            ObjectNode call = calls.computeIfAbsent(index, i -> {
                ObjectNode c = JsonNodeFactory.instance.objectNode();
                c.put("type", "function");
                c.putObject("function");
                return c;
            });
            if (d.path("id").isTextual()) {
                call.put("id", d.get("id").asText());
            }
            if (d.path("function").path("name").isTextual()) {
                ((ObjectNode) call.get("function")).put("name", d.get("function").get("name").asText());
            }
            if (d.path("function").path("arguments").isTextual()) {
                arguments.computeIfAbsent(index, i -> new StringBuilder())
                        .append(d.get("function").get("arguments").asText());
            }
        }
    }

    List<ObjectNode> events() {
        return events;
    }

    ObjectNode message() {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        calls.forEach((index, call) -> {
            ((ObjectNode) call.get("function")).put("arguments",
                    arguments.getOrDefault(index, new StringBuilder()).toString());
            list.add(call);
        });
        return assistantMessage(TextNode.valueOf(content.toString()), list);
    }
}
