package dev.echelon.residency.policy;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Last-use times per role, for the LRU policies. Roles never used count as used at {@code -infinity}; among those,
 * registry order decides (earlier roles count as older), so eviction order is deterministic.
 */
final class Recency {

    private final Map<String, Double> lastUse = new LinkedHashMap<>();
    private final List<String> order;

    Recency(List<String> roles) {
        this.order = List.copyOf(roles);
        roles.forEach(r -> lastUse.put(r, Double.NEGATIVE_INFINITY));
    }

    void touch(String role, double now) {
        lastUse.put(role, now);
    }

    double lastUse(String role) {
        return lastUse.get(role);
    }

    /** Least recently used first. */
    Comparator<String> oldestFirst() {
        return Comparator.<String>comparingDouble(lastUse::get).thenComparingInt(order::indexOf);
    }

    Map<String, Object> explain() {
        Map<String, Object> m = new LinkedHashMap<>();
        lastUse.forEach((r, t) -> m.put(r, Double.isInfinite(t) ? "never" : t));
        return m;
    }
}
