package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared test data: the project's registry and the labelled evaluation prompts. */
final class RoutingFixtures {

    static final ModelRegistry REGISTRY = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false)
            .load(Path.of("model_registry.yaml"));

    static final ObjectMapper JSON = new ObjectMapper();

    record EvalPrompt(String id, String category, String difficulty, String prompt) {
    }

    private static List<EvalPrompt> eval;

    private RoutingFixtures() {
    }

    static synchronized List<EvalPrompt> evalPrompts() {
        if (eval == null) {
            List<EvalPrompt> out = new ArrayList<>();
            try (InputStream in = RoutingFixtures.class.getResourceAsStream("/routing/eval-prompts.jsonl")) {
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n = JSON.readTree(line);
                    out.add(new EvalPrompt(n.get("id").asText(), n.get("category").asText(),
                            n.get("difficulty").asText(), n.get("prompt").asText()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            eval = List.copyOf(out);
        }
        return eval;
    }

    /** A chat body with one user message. */
    static JsonNode chat(String userText) {
        var body = JSON.createObjectNode();
        body.put("model", "auto");
        var m = body.putArray("messages").addObject();
        m.put("role", "user");
        m.put("content", userText);
        return body;
    }
}
