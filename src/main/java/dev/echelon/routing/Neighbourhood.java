package dev.echelon.routing;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@link ExemplarIndex} knows about texts like a query.
 *
 * @param neighbours     the k nearest labelled exemplars, most similar first
 * @param categoryVotes  similarity-weighted share of each category among them (sums to 1 when any neighbour has
 *                       positive similarity)
 * @param meanDifficulty similarity-weighted mean difficulty of the neighbours (NaN when there are none)
 * @param meanSimilarity mean cosine similarity of the neighbours (0 when there are none)
 * @param roles          per role, what past outcomes on similar texts say (only roles with evidence)
 */
public record Neighbourhood(List<Neighbour> neighbours, Map<String, Double> categoryVotes, double meanDifficulty,
        double meanSimilarity, Map<String, RoleEvidence> roles) {

    public static final Neighbourhood EMPTY = new Neighbourhood(List.of(), Map.of(), Double.NaN, 0, Map.of());

    public Neighbourhood {
        neighbours = List.copyOf(neighbours);
        categoryVotes = Map.copyOf(categoryVotes);
        roles = Map.copyOf(roles);
    }

    /** One labelled exemplar near the query. */
    public record Neighbour(String text, String category, double difficulty, double similarity) {
    }

    /**
     * Past outcomes of one role on texts similar to the query.
     *
     * @param successRate similarity-weighted success rate
     * @param weight      total similarity weight (the evidence: about the number of closely similar outcomes)
     * @param count       how many outcomes contributed
     */
    public record RoleEvidence(double successRate, double weight, int count) {
    }

    /** The category with the largest vote, if any. */
    public Optional<String> topCategory() {
        return categoryVotes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
    }

    /** The vote share of {@link #topCategory()} (0 when none). */
    public double topShare() {
        return categoryVotes.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    public Optional<RoleEvidence> role(String role) {
        return Optional.ofNullable(roles.get(role));
    }
}
