package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** One entry of {@code GET /slots}; {@code params} and {@code next_token} stay raw JSON. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SlotState(
        @JsonProperty("id") Integer id,
        @JsonProperty("id_task") Integer idTask,
        @JsonProperty("n_ctx") Integer nCtx,
        @JsonProperty("speculative") Boolean speculative,
        @JsonProperty("is_processing") Boolean isProcessing,
        @JsonProperty("n_prompt_tokens") Integer nPromptTokens,
        @JsonProperty("n_prompt_tokens_processed") Integer nPromptTokensProcessed,
        @JsonProperty("n_prompt_tokens_cache") Integer nPromptTokensCache,
        @JsonProperty("params") JsonNode params,
        @JsonProperty("next_token") JsonNode nextToken) {

    /** True when the slot is busy. */
    @JsonIgnore
    public boolean busy() {
        return Boolean.TRUE.equals(isProcessing);
    }

    /** {@code params["speculative.types"]} split on commas, or null. */
    @JsonIgnore
    public List<String> speculativeTypes() {
        return BackendJson.speculativeTypes(params);
    }
}
