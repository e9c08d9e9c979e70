package dev.echelon.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.backend.InstancePool;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.Tier;
import dev.echelon.residency.control.ResidencyController;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * {@code list_roles}: the roles an agent can ask by name through {@code chat} — tier, what each is for, its model,
 * whether its servers are ready, its residency state, its fallbacks — and the tier model ids.
 */
@ApplicationScoped
public class ListRolesTool implements McpTool {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ModelRegistry registry;
    private final Instance<InstancePool> pool;
    private final ResidencyController residency;

    public ListRolesTool(ModelRegistry registry, Instance<InstancePool> pool, ResidencyController residency) {
        this.registry = registry;
        this.pool = pool;
        this.residency = residency;
    }

    @Override
    public String name() {
        return "list_roles";
    }

    @Override
    public String description() {
        return "List the model roles behind Echelon (front door, workers, experts) with their tier, purpose, model, "
                + "readiness and where their weights sit, plus the tier ids; any of them can be passed to chat as role.";
    }

    @Override
    public ObjectNode inputSchema() {
        ObjectNode s = F.objectNode().put("type", "object");
        s.putObject("properties");
        s.put("additionalProperties", false);
        return s;
    }

    @Override
    public ToolResponse call(McpCall call) {
        ObjectNode out = F.objectNode();
        ArrayNode roles = out.putArray("roles");
        var live = residency.snapshot();
        for (RoleSpec r : registry.roles().values()) {
            if (!r.servesUsers()) {
                continue;
            }
            ObjectNode n = roles.addObject().put("name", r.name()).put("tier", r.tier().name())
                    .put("description", r.description());
            r.model().ifPresent(m -> n.put("model", m.name()));
            n.put("status", pool.get().status(r.name()).name().toLowerCase());
            if (residency.model().manages(r.name())) {
                n.put("residency", live.live(r.name()).state().name()).put("residency_meaning",
                        live.live(r.name()).state().meaning());
            }
            ArrayNode fallbacks = n.putArray("fallbacks");
            r.fallbacks().forEach(fallbacks::add);
        }
        ArrayNode tiers = out.putArray("tiers");
        for (Tier t : Tier.values()) {
            if (!registry.rolesOf(t).stream().filter(RoleSpec::servesUsers).toList().isEmpty()) {
                tiers.addObject().put("id", t.modelId()).put("tier", t.name()).put("description", t.role());
            }
        }
        out.put("auto", "auto: Echelon chooses the role for each prompt (route_explain shows how)");
        return ToolResponse.success(out.toPrettyString());
    }
}
