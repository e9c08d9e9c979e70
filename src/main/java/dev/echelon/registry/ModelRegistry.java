package dev.echelon.registry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The validated contents of {@code model_registry.yaml}: the single source of truth for tiers, roles, models,
 * instances, drafts, escalation chains and residency budgets. Built only by {@link RegistryLoader}, so an instance
 * of this record has passed every check.
 *
 * @param source  where it was read from (for messages)
 * @param chains  escalation chains by name; each lists roles from cheapest to most capable
 */
public record ModelRegistry(String source, Map<Tier, TierSpec> tiers, Map<String, RoleSpec> roles,
        Map<String, LaunchSpec> launchTemplates, List<DraftPairing> drafts, Map<String, List<String>> chains,
        ResidencySpec residency) {

    public ModelRegistry {
        tiers = Map.copyOf(tiers);
        roles = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(roles));
        launchTemplates = Map.copyOf(launchTemplates);
        drafts = List.copyOf(drafts);
        chains = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(chains));
    }

    public Optional<RoleSpec> role(String name) {
        return Optional.ofNullable(roles.get(name));
    }

    public RoleSpec requireRole(String name) {
        return role(name).orElseThrow(() -> new IllegalArgumentException("no role '" + name + "' in " + source));
    }

    public List<RoleSpec> rolesOf(Tier tier) {
        return roles.values().stream().filter(r -> r.tier() == tier).toList();
    }

    /** The role that answers when nothing else is asked for: the first generating role of tier A. */
    public RoleSpec frontDoor() {
        return rolesOf(Tier.A).stream().filter(RoleSpec::servesUsers).findFirst()
                .orElseThrow(() -> new IllegalStateException("registry has no tier A role"));
    }

    public Stream<InstanceSpec> instances() {
        return roles.values().stream().map(RoleSpec::instances).flatMap(Collection::stream);
    }

    public Optional<DraftPairing> draftFor(String targetRole) {
        return drafts.stream().filter(d -> d.target().equals(targetRole)).findFirst();
    }
}
