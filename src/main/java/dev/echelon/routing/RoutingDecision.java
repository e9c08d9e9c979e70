package dev.echelon.routing;

import dev.echelon.registry.Tier;

import java.util.List;

/**
 * Where a request goes and why.
 *
 * @param confidence   how sure the router is that {@code role} will answer well (1 when the client named it)
 * @param alternatives other roles that could serve it, best first
 */
public record RoutingDecision(String role, Tier tier, String reason, double confidence, List<String> alternatives) {

    public RoutingDecision {
        alternatives = List.copyOf(alternatives);
    }
}
