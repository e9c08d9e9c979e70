package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * What the tool rounds before a generation cost and did: the calls run (for {@code x_echelon.tools}) and the tokens
 * their generations used, which the answer's {@code usage} includes — the client paid for them too.
 */
record ToolRounds(List<ToolRun> runs, long promptTokens, long completionTokens) {

    static final ToolRounds NONE = new ToolRounds(List.of(), 0, 0);

    ToolRounds {
        runs = List.copyOf(runs);
    }

    /** Adds these rounds' tokens to an OpenAI {@code usage} object, in place. */
    void addTo(JsonNode usage) {
        if (!(usage instanceof ObjectNode u) || promptTokens + completionTokens == 0) {
            return;
        }
        long prompt = u.path("prompt_tokens").asLong(0) + promptTokens;
        long completion = u.path("completion_tokens").asLong(0) + completionTokens;
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
    }
}
