package dev.echelon.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.residency.control.ResidencyController;
import dev.echelon.residency.control.ResidencyReport;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code residency_status}: where each role's weights are now (GPU, host RAM, NVMe; variant and GPU layers), how full
 * the GPU and RAM budgets are, the policy's forecast and plan, and the latest transitions — the report of
 * {@code GET /admin/residency}. An agent can tell from it whether a role is warm before asking it.
 */
@ApplicationScoped
public class ResidencyStatusTool implements McpTool {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResidencyController residency;

    public ResidencyStatusTool(ResidencyController residency) {
        this.residency = residency;
    }

    @Override
    public String name() {
        return "residency_status";
    }

    @Override
    public String description() {
        return "Show where each model role's weights sit now (GPU, host RAM or NVMe, variant, GPU layers), GPU and RAM "
                + "use against the budgets, the demand forecast, and the most recent moves — whether a role is warm.";
    }

    @Override
    public ObjectNode inputSchema() {
        ObjectNode s = JsonNodeFactory.instance.objectNode().put("type", "object");
        s.putObject("properties").putObject("recent").put("type", "integer").put("minimum", 0).put("maximum", 200)
                .put("description", "How many recent transitions to include (default 10).");
        s.put("additionalProperties", false);
        return s;
    }

    @Override
    public ToolResponse call(McpCall call) {
        return ToolResponse.success(JSON.valueToTree(ResidencyReport.of(residency, call.integer("recent", 10)))
                .toPrettyString());
    }
}
