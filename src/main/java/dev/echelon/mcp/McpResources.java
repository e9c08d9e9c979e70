package dev.echelon.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.echelon.EchelonBoot;
import dev.echelon.escalation.EscalationEvent;
import dev.echelon.escalation.EscalationLog;
import dev.echelon.residency.control.ResidencyController;
import dev.echelon.residency.control.ResidencyReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

/**
 * The resources Echelon offers MCP clients: the effective registry and settings, the residency state, and the recent
 * escalations. Each is read when asked, so a client always sees the present.
 */
@ApplicationScoped
public class McpResources {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECENT_ESCALATIONS = 50;

    private final EchelonBoot boot;
    private final ResidencyController residency;
    private final Instance<EscalationLog> escalations;

    public McpResources(EchelonBoot boot, ResidencyController residency, Instance<EscalationLog> escalations) {
        this.boot = boot;
        this.residency = residency;
        this.escalations = escalations;
    }

    @Produces
    @Dependent
    McpResource registry() {
        return new McpResource("echelon://config", "effective-config", "The effective configuration: the validated model "
                + "registry (tiers, roles, variants, fallbacks) and every setting, secrets redacted, with its hash.",
                () -> boot.effective().map(c -> c.toJson()).orElseGet(() -> JsonNodeFactory.instance.objectNode()
                        .put("status", "configuration not validated yet")));
    }

    @Produces
    @Dependent
    McpResource residencyState() {
        return new McpResource("echelon://residency", "residency", "Where each role's weights sit (GPU, host RAM, NVMe), "
                + "budgets and pressure, the demand forecast and the latest transitions.",
                () -> JSON.valueToTree(ResidencyReport.of(residency, 50)));
    }

    @Produces
    @Dependent
    McpResource recentEscalations() {
        return new McpResource("echelon://escalations/recent", "recent-escalations", "The latest escalations: which request "
                + "moved from which role to which, why (gate verdict or error) and the action taken; newest last.",
                () -> {
                    ArrayNode out = JsonNodeFactory.instance.arrayNode();
                    for (EscalationEvent e : escalations.get().recent(RECENT_ESCALATIONS)) {
                        out.add(readTree(e.toJson()));
                    }
                    return out;
                });
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("an escalation event that is not JSON", e);
        }
    }
}
