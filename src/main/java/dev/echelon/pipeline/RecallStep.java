package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.memory.ContextBlock;
import dev.echelon.memory.MemoryService;
import dev.echelon.memory.Recalled;
import dev.echelon.routing.MessageText;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * Step 2: add what Echelon remembers from the caller's past sessions to a chat request — the memories of the same
 * API key most relevant to the last user message, as one compact block in the system message, within the memory
 * token budget. Recall is an aid: when it fails the request goes on without it. Completions (raw prompts) are left
 * alone, since there is no system message to extend without changing what the prompt means.
 */
final class RecallStep {

    private static final Logger LOG = Logger.getLogger(RecallStep.class);

    private final Optional<MemoryService> memory;

    RecallStep(Optional<MemoryService> memory) {
        this.memory = memory;
    }

    /** True when recall will embed the prompt (milliseconds of CPU): the caller keeps it off the event loop. */
    boolean works(GenerationCall call) {
        return memory.isPresent() && call.endpoint() == Endpoint.CHAT && call.memory().recalls();
    }

    GenerationCall recall(GenerationCall call) {
        if (!works(call)) {
            return call;
        }
        String query = MessageText.lastUser(call.body());
        if (query.isBlank()) {
            return call;
        }
        try {
            MemoryService m = memory.get();
            List<Recalled> found = m.recall(call.context().principal(), query);
            ContextBlock.Block block = ContextBlock.of(found, m.settings().tokenBudget());
            if (block.isEmpty()) {
                return call;
            }
            ObjectNode body = call.body().deepCopy();
            withSystemNote(body, block.text());
            return call.withRecalled(body, block.included().stream().map(r -> r.memory().id()).toList());
        } catch (RuntimeException | LinkageError e) {
            LOG.warnf("[%s] memory recall failed (%s); answering without it", call.context().requestId(), e.toString());
            return call;
        }
    }

    /**
     * Adds {@code note} to the leading system message, or puts one first: many chat templates accept a system
     * message only at the start, so a second one is never inserted.
     */
    static void withSystemNote(ObjectNode body, String note) {
        ArrayNode messages = (ArrayNode) body.get("messages");
        JsonNode first = messages.size() == 0 ? null : messages.get(0);
        String firstRole = first == null ? "" : first.path("role").asText();
        if (firstRole.equals("system") || firstRole.equals("developer")) {
            ObjectNode sys = (ObjectNode) first;
            JsonNode content = sys.get("content");
            if (content != null && content.isArray()) {
                ((ArrayNode) content).addObject().put("type", "text").put("text", note);
            } else {
                String text = content == null || content.isNull() ? "" : content.asText();
                sys.put("content", text.isBlank() ? note : text + "\n\n" + note);
            }
            return;
        }
        ObjectNode sys = messages.insertObject(0);
        sys.put("role", "system").put("content", note);
    }
}
