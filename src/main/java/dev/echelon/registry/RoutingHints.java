package dev.echelon.registry;

import java.util.List;

/** What a role is for: task categories it serves and domain keywords that point at it. */
public record RoutingHints(List<String> categories, List<String> keywords) {

    public static final RoutingHints NONE = new RoutingHints(List.of(), List.of());

    public RoutingHints {
        categories = List.copyOf(categories);
        keywords = List.copyOf(keywords);
    }
}
