package dev.echelon.registry;

import java.util.List;

/**
 * What a role is for: task categories it serves, domain keywords that point at it, and what one request to it
 * costs relative to the others (the router prefers the cheapest role likely to succeed).
 *
 * @param cost relative cost weight of one request (e.g. proportional to active parameters); > 0
 */
public record RoutingHints(List<String> categories, List<String> keywords, double cost) {

    public static final RoutingHints NONE = new RoutingHints(List.of(), List.of(), 1.0);

    public RoutingHints {
        categories = List.copyOf(categories);
        keywords = List.copyOf(keywords);
    }
}
