package dev.echelon.routing;

import dev.echelon.backend.InstancePool;
import dev.echelon.backend.InstanceStatus;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.Tier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the {@code model} a client asked for into a role. A role name or a tier ({@code tier-a} … {@code tier-c})
 * is honoured as asked; {@code auto} goes to the front door until complexity routing exists (issue 4). The router
 * only reads instance state (to prefer a ready role within a tier); it never waits for anything.
 */
public final class Router {

    public static final String AUTO = "auto";

    private final ModelRegistry registry;
    private final InstancePool pool;

    public Router(ModelRegistry registry, InstancePool pool) {
        this.registry = registry;
        this.pool = pool;
    }

    public RoutingDecision route(String model) {
        String id = model.trim();
        RoleSpec named = registry.roles().get(id);
        if (named != null) {
            if (!named.servesUsers()) {
                throw new UnroutableException("'" + id + "' is a " + named.kind().name().toLowerCase(Locale.ROOT)
                        + " role (tier " + named.tier() + ") and does not serve completions", false);
            }
            return new RoutingDecision(id, named.tier(), "requested role", 1.0, List.of());
        }
        if (AUTO.equals(id)) {
            RoleSpec front = registry.frontDoor();
            return new RoutingDecision(front.name(), front.tier(), "auto: front door (complexity routing not enabled)",
                    0.5, alternatives(front.name()));
        }
        for (Tier t : Tier.values()) {
            if (t != Tier.D && t.modelId().equals(id)) {
                List<RoleSpec> roles = registry.rolesOf(t).stream().filter(RoleSpec::servesUsers).toList();
                if (roles.isEmpty()) {
                    break;
                }
                RoleSpec pick = roles.stream().filter(r -> pool.status(r.name()) == InstanceStatus.READY).findFirst()
                        .orElse(roles.get(0));
                List<String> others = roles.stream().map(RoleSpec::name).filter(n -> !n.equals(pick.name())).toList();
                return new RoutingDecision(pick.name(), t, "requested tier " + t + " (" + t.role() + ")", 1.0, others);
            }
        }
        throw new UnroutableException("The model '" + id + "' does not exist. Available: "
                + String.join(", ", modelIds()), true);
    }

    /** Every id a client may put in {@code model}: roles that serve users, tiers A–C, and auto. */
    public List<String> modelIds() {
        List<String> ids = new ArrayList<>();
        ids.add(AUTO);
        for (Tier t : Tier.values()) {
            if (t != Tier.D && registry.rolesOf(t).stream().anyMatch(RoleSpec::servesUsers)) {
                ids.add(t.modelId());
            }
        }
        registry.roles().values().stream().filter(RoleSpec::servesUsers).map(RoleSpec::name).forEach(ids::add);
        return ids;
    }

    private List<String> alternatives(String except) {
        return registry.roles().values().stream().filter(RoleSpec::servesUsers).map(RoleSpec::name)
                .filter(n -> !n.equals(except)).toList();
    }
}
