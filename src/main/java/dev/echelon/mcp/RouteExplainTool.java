package dev.echelon.mcp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.pipeline.ComplexityTaskRouter;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * {@code route_explain}: which role {@code auto} would choose for a prompt, and why — the same explanation as
 * {@code GET /admin/route-explain}: features, category, difficulty, nearest exemplars, and every role's predicted
 * success, cost and expected wait. Nothing is generated.
 */
@ApplicationScoped
public class RouteExplainTool implements McpTool {

    private final Instance<ComplexityTaskRouter> router;

    public RouteExplainTool(Instance<ComplexityTaskRouter> router) {
        this.router = router;
    }

    @Override
    public String name() {
        return "route_explain";
    }

    @Override
    public String description() {
        return "Explain how Echelon would route a prompt: its category and difficulty, the nearest known examples, and "
                + "each role's predicted success, cost and expected wait, with the role it would choose. Generates "
                + "nothing.";
    }

    @Override
    public ObjectNode inputSchema() {
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "object");
        s.putObject("properties").putObject("prompt").put("type", "string").put("minLength", 1)
                .put("description", "The prompt to route.");
        s.putArray("required").add("prompt");
        s.put("additionalProperties", false);
        return s;
    }

    @Override
    public ToolResponse call(McpCall call) {
        if (router.isUnsatisfied()) {
            throw new McpToolFailure("Routing by prompt (auto) is not configured on this server.");
        }
        return ToolResponse.success(router.get().explain(call.string("prompt")).toPrettyString());
    }
}
