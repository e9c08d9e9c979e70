package dev.echelon.backend;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.List;

/**
 * {@code GET /props}. The typed fields are extracted from {@link #raw()}, which keeps the whole answer;
 * (de)serialises as the raw JSON.
 *
 * @param nCtx             {@code default_generation_settings.n_ctx} (per-slot context)
 * @param defaultParams    {@code default_generation_settings.params}
 * @param speculativeTypes {@code default_generation_settings.params["speculative.types"]} split on commas, or null
 */
public record Props(
        Integer nCtx,
        JsonNode defaultParams,
        Integer totalSlots,
        String modelAlias,
        String modelPath,
        String modelFtype,
        String buildInfo,
        String chatTemplate,
        String bosToken,
        String eosToken,
        List<String> speculativeTypes,
        JsonNode raw) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Props fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("props must be a JSON object, got: " + node);
        }
        JsonNode dgs = node.path("default_generation_settings");
        JsonNode params = dgs.get("params");
        return new Props(
                BackendJson.integer(dgs, "n_ctx"),
                params == null ? MissingNode.getInstance() : params,
                BackendJson.integer(node, "total_slots"),
                BackendJson.text(node, "model_alias"),
                BackendJson.text(node, "model_path"),
                BackendJson.text(node, "model_ftype"),
                BackendJson.text(node, "build_info"),
                BackendJson.text(node, "chat_template"),
                BackendJson.text(node, "bos_token"),
                BackendJson.text(node, "eos_token"),
                BackendJson.speculativeTypes(params),
                node);
    }

    @JsonValue
    public JsonNode raw() {
        return raw;
    }
}
