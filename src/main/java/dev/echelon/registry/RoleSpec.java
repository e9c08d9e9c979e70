package dev.echelon.registry;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

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

    /** The flags that give every slot of a llama-server the whole of its {@code -c} (a unified KV cache). */
    private static final Set<String> UNIFIED_KV = Set.of("-kvu", "--kv-unified");

    /**
     * The most tokens, prompt and answer together, that one request may take on every server of this role:
     * llama-server splits its {@code -c} among its {@code -np} slots unless the KV cache is unified
     * ({@link LaunchSpec#kvUnified}, or {@code -kvu} among the extra arguments; llama-server's default only when the
     * slot count is left to it, which Echelon never does; the loader refuses a
     * {@code -c} past the model's trained context). A prompt at or past this is refused ("exceeds the available
     * context size"), a longer answer cut off. Empty when a server's context is not known here (an external
     * instance) or the role has no server.
     */
    public OptionalInt requestContextTokens() {
        int least = Integer.MAX_VALUE;
        for (InstanceSpec i : instances) {
            if (i.launch().isEmpty()) {
                return OptionalInt.empty();
            }
            LaunchSpec l = i.launch().get();
            boolean unified = l.kvUnified() || l.extraArgs().stream().anyMatch(UNIFIED_KV::contains);
            least = Math.min(least, unified ? l.ctxSize() : l.ctxSize() / Math.max(1, l.parallel()));
        }
        return least == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(least);
    }
}
