package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Optional;

/** {@code GET /v1/models} (the OpenAI {@code data} list; the Ollama-style {@code models} list is ignored). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelList(
        @JsonProperty("object") String object,
        @JsonProperty("data") List<Model> data) {

    public ModelList {
        data = data == null ? List.of() : List.copyOf(data);
    }

    @JsonIgnore
    public Optional<Model> first() {
        return data.isEmpty() ? Optional.empty() : Optional.of(data.get(0));
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(
            @JsonProperty("id") String id,
            @JsonProperty("object") String object,
            @JsonProperty("created") Long created,
            @JsonProperty("owned_by") String ownedBy,
            @JsonProperty("aliases") List<String> aliases,
            @JsonProperty("meta") Meta meta) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Meta(
            @JsonProperty("vocab_type") Integer vocabType,
            @JsonProperty("n_vocab") Integer nVocab,
            @JsonProperty("n_ctx") Integer nCtx,
            @JsonProperty("n_ctx_train") Integer nCtxTrain,
            @JsonProperty("n_embd") Integer nEmbd,
            @JsonProperty("n_params") Long nParams,
            @JsonProperty("size") Long size,
            @JsonProperty("ftype") String ftype) {
    }
}
