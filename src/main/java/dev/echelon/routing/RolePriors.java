package dev.echelon.routing;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.Tier;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Echelon's configurable prior belief about how likely a role is to answer a request well, before any outcome has
 * been seen. It uses only what the registry says about a role (its tier and the categories and keywords in its
 * routing hints) and the request's observable category, difficulty and keyword hits:
 * <pre>
 * logit p₀ = offset(tier)                                  A 3.5, C 4.0, B 5.0 (defaults)
 *          − outOfDomainPenalty(tier)  if the category is not in the role's routing categories
 *                                                           A 1.5, C 1.2, B 2.0 (generalist workers lose less
 *                                                           outside their categories than domain experts)
 *          + keywordBonus · min(keyword hits, maxKeywordHits)       0.4 · ≤ 2
 *          − difficultySlope · difficulty                           5.0
 * p₀ = 1 / (1 + e^(−logit))
 * </pre>
 * With the defaults and a target of 0.8 (logit ≥ 1.39), a role is expected to cope up to difficulty ≈ 0.42 (A),
 * 0.52 (C), 0.72 (B) in its domain and ≈ 0.12 (A), 0.28 (C), 0.32 (B) outside it. These are starting points, not
 * measurements: the {@link SkillTracker} and the {@link ExemplarIndex} move predictions towards what is
 * observed.
 */
public final class RolePriors {

    /**
     * @param tierOffsets        logit offset per tier (a missing tier counts as 0)
     * @param outOfDomainPenalty per tier, subtracted when the category is not among the role's routing categories
     *                           (a missing tier counts as 0)
     * @param keywordBonus       added per distinct routing keyword of the role found in the request
     * @param maxKeywordHits     at most this many keyword hits count
     * @param difficultySlope    subtracted per unit of difficulty
     * @param referenceDifficulty difficulty at which {@link #asTrackerPrior()} evaluates the prior
     */
    public record Config(Map<Tier, Double> tierOffsets, Map<Tier, Double> outOfDomainPenalty, double keywordBonus,
            int maxKeywordHits, double difficultySlope, double referenceDifficulty) {

        public static final Config DEFAULTS = new Config(Map.of(Tier.A, 3.5, Tier.C, 4.0, Tier.B, 5.0),
                Map.of(Tier.A, 1.5, Tier.C, 1.2, Tier.B, 2.0), 0.4, 2, 5.0, 0.5);

        public Config {
            tierOffsets = Map.copyOf(tierOffsets);
            outOfDomainPenalty = Map.copyOf(outOfDomainPenalty);
            if (!(difficultySlope >= 0) || outOfDomainPenalty.values().stream().anyMatch(v -> !(v >= 0))
                    || !(keywordBonus >= 0) || maxKeywordHits < 0) {
                throw new IllegalArgumentException("penalties, bonuses and slope must be ≥ 0");
            }
            if (!(referenceDifficulty >= 0 && referenceDifficulty <= 1)) {
                throw new IllegalArgumentException("referenceDifficulty must be in [0, 1]");
            }
        }
    }

    /** What the priors need to know about a role. */
    public record RoleInfo(String name, Tier tier, Set<String> categories, double cost) {
        public RoleInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(tier, "tier");
            categories = categories.stream().map(TaskCategory::normalise).collect(Collectors.toUnmodifiableSet());
            if (!(cost > 0)) {
                throw new IllegalArgumentException("cost of " + name + " must be > 0 (was " + cost + ")");
            }
        }
    }

    private final Map<String, RoleInfo> roles;
    private final Config config;

    public RolePriors(Collection<RoleInfo> roles, Config config) {
        Map<String, RoleInfo> m = new LinkedHashMap<>();
        for (RoleInfo r : roles) {
            m.put(r.name(), r);
        }
        this.roles = java.util.Collections.unmodifiableMap(m);
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The registry's roles that serve users, in registry order. */
    public static RolePriors fromRegistry(ModelRegistry registry, Config config) {
        return new RolePriors(roleInfos(registry), config);
    }

    public static List<RoleInfo> roleInfos(ModelRegistry registry) {
        return registry.roles().values().stream().filter(RoleSpec::servesUsers)
                .map(r -> new RoleInfo(r.name(), r.tier(), Set.copyOf(r.routing().categories()), r.routing().cost()))
                .toList();
    }

    public Config config() {
        return config;
    }

    /** Candidate roles, in registry order. */
    public List<String> roles() {
        return List.copyOf(roles.keySet());
    }

    public RoleInfo role(String name) {
        RoleInfo r = roles.get(name);
        if (r == null) {
            throw new IllegalArgumentException("unknown role '" + name + "' (known: " + roles.keySet() + ")");
        }
        return r;
    }

    public boolean inDomain(String role, String category) {
        return role(role).categories().contains(TaskCategory.normalise(category));
    }

    public double logit(String role, String category, double difficulty, int keywordHits) {
        RoleInfo r = role(role);
        double l = config.tierOffsets().getOrDefault(r.tier(), 0.0);
        if (!r.categories().contains(TaskCategory.normalise(category))) {
            l -= config.outOfDomainPenalty().getOrDefault(r.tier(), 0.0);
        }
        l += config.keywordBonus() * Math.min(Math.max(0, keywordHits), config.maxKeywordHits());
        l -= config.difficultySlope() * Math.max(0, Math.min(1, difficulty));
        return l;
    }

    /** p₀ for a request of this category, difficulty and keyword hits. */
    public double prior(String role, String category, double difficulty, int keywordHits) {
        return 1 / (1 + Math.exp(-logit(role, category, difficulty, keywordHits)));
    }

    public double prior(String role, String category, double difficulty) {
        return prior(role, category, difficulty, 0);
    }

    /**
     * The prior for a {@link SkillTracker}: p₀ at {@link Config#referenceDifficulty()} without keywords; unknown
     * roles get 0.5.
     */
    public SkillTracker.Prior asTrackerPrior() {
        return (category, role) -> roles.containsKey(role) ? prior(role, category, config.referenceDifficulty()) : 0.5;
    }
}
