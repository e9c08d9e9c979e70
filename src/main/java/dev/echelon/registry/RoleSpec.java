package dev.echelon.registry;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A role: one model with a job in one tier.
 *
 * @param model     absent only in lean mode, for roles served entirely by external URLs, and for in-process embedders
 * @param inProcess name of an in-process model (embedders), when the role has no llama-server
 * @param fallbacks lateral fallbacks, tried in order on infrastructure faults
 * @param tools     server-side tools this role's model may call (run_code, web_fetch, …), offered in this order
 */
public record RoleSpec(String name, Tier tier, RoleKind kind, String description, Optional<ModelSpec> model,
        Optional<String> inProcess, List<InstanceSpec> instances, List<String> fallbacks, RoutingHints routing,
        RoleTimeouts timeouts, List<String> tools) {

    public RoleSpec {
        instances = List.copyOf(instances);
        fallbacks = List.copyOf(fallbacks);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /** A role that may call no server-side tool. */
    public RoleSpec(String name, Tier tier, RoleKind kind, String description, Optional<ModelSpec> model,
            Optional<String> inProcess, List<InstanceSpec> instances, List<String> fallbacks, RoutingHints routing,
            RoleTimeouts timeouts) {
        this(name, tier, kind, description, model, inProcess, instances, fallbacks, routing, timeouts, List.of());
    }

    public boolean servesUsers() {
        return kind == RoleKind.GENERATE && tier != Tier.D;
    }

    /**
     * The most tokens one request may take on every server of this role ({@link LaunchSpec#requestContextTokens}, the
     * least over its instances). Empty when a server's context is not known here (an external instance) or the role
     * has no server.
     */
    public OptionalInt requestContextTokens() {
        int least = Integer.MAX_VALUE;
        for (InstanceSpec i : instances) {
            if (i.launch().isEmpty()) {
                return OptionalInt.empty();
            }
            least = Math.min(least, i.launch().get().requestContextTokens());
        }
        return least == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(least);
    }
}
