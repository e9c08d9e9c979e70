package dev.echelon.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.pipeline.Rejection;

import static dev.echelon.api.Fields.optionalInteger;
import static dev.echelon.api.Fields.present;
import static dev.echelon.api.Fields.requireString;
import static dev.echelon.api.Fields.wrongType;

/** Checks a legacy {@code POST /v1/completions} body. */
final class CompletionValidator {

    private CompletionValidator() {
    }

    static ObjectNode validate(ObjectNode body) {
        requireString(body, "model", "model");
        prompt(body.get("prompt"));
        optionalInteger(body, "max_tokens", 1, ChatValidator.MAX_TOKENS_LIMIT);
        Fields.sampling(body);
        Fields.stream(body);
        optionalInteger(body, "logprobs", 0, 5);
        if (Boolean.TRUE.equals(Fields.optionalBoolean(body, "echo"))) {
            // llama-server cannot return prompt-token probabilities and silently ignores echo: say so instead
            throw Rejection.invalid("echo", "unsupported_value",
                    "'echo' is not supported: llama.cpp cannot return the prompt's tokens or their probabilities.");
        }
        Long bestOf = optionalInteger(body, "best_of", 1, 20);
        if (bestOf != null && bestOf > 1) {
            throw Rejection.invalid("best_of", "unsupported_value", "'best_of' > 1 is not supported.");
        }
        if (present(body.get("suffix"))) {
            throw Rejection.invalid("suffix", "unsupported_value", "'suffix' (insertion) is not supported.");
        }
        return body;
    }

    private static void prompt(JsonNode prompt) {
        if (!present(prompt)) {
            throw Fields.missing("prompt");
        }
        if (prompt.isTextual()) {
            return;
        }
        if (!prompt.isArray() || prompt.isEmpty()) {
            throw wrongType("prompt", "a string, an array of strings or an array of token ids", prompt);
        }
        if (prompt.size() > 1 && prompt.get(0).isTextual()) {
            throw Rejection.invalid("prompt", "unsupported_value", "Batched prompts are not supported: send one "
                    + "prompt per request.");
        }
        for (int i = 0; i < prompt.size(); i++) {
            JsonNode p = prompt.get(i);
            if (!(p.isTextual() || p.isIntegralNumber())) {
                throw wrongType("prompt[" + i + "]", "a string or a token id", p);
            }
        }
    }
}
