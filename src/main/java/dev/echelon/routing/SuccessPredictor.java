package dev.echelon.routing;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Predicts the probability that a role answers a request well by pooling three sources as pseudo-counts:
 * <pre>
 *            n₀·p₀  +  S  +  κ·w·r
 * p  =  ─────────────────────────────
 *          n₀  +  S + F  +  κ·w
 * </pre>
 * <ul>
 *   <li>p₀ — {@link RolePriors}: tier, category match, keyword hits and difficulty (Echelon's configurable prior),
 *       worth n₀ = {@link SkillTracker.Config#priorStrength()} observations;</li>
 *   <li>S, F — the {@link SkillTracker}'s decayed successes and failures of the role on this category (its
 *       difficulty-independent record; the prior supplies the difficulty adjustment);</li>
 *   <li>r, w — the {@link ExemplarIndex}'s similarity-weighted success rate of the role on similar past requests and
 *       its evidence weight, scaled by κ = {@link Config#knnWeight()} and capped at
 *       {@link Config#maxKnnWeight()} (the same outcomes also feed S and F, so the local view counts as a
 *       refinement, not as independent data).</li>
 * </ul>
 * With no outcomes, p = p₀; every observed outcome moves p towards what happened.
 */
public final class SuccessPredictor {

    /**
     * @param knnWeight    κ ≥ 0: how much one fully similar past outcome counts relative to one category outcome
     * @param maxKnnWeight cap on κ·w
     */
    public record Config(double knnWeight, double maxKnnWeight) {
        public static final Config DEFAULTS = new Config(0.5, 8.0);

        public Config {
            if (!(knnWeight >= 0) || !(maxKnnWeight >= 0)) {
                throw new IllegalArgumentException("knnWeight and maxKnnWeight must be ≥ 0");
            }
        }
    }

    /**
     * One role's prediction and its parts.
     *
     * @param success   p
     * @param prior     p₀
     * @param skillMean the tracker's own posterior mean for (category, role) (its prior is at the reference
     *                  difficulty)
     * @param knnRate   r, or NaN without similar outcomes
     * @param knnWeight κ·w as used (0 without similar outcomes)
     */
    public record Prediction(String role, double success, double prior, double skillSuccesses, double skillFailures,
            double skillMean, double knnRate, double knnWeight, int keywordHits) {
    }

    private final RolePriors priors;
    private final SkillTracker tracker;
    private final Config config;

    public SuccessPredictor(RolePriors priors, SkillTracker tracker, Config config) {
        this.priors = Objects.requireNonNull(priors, "priors");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.config = Objects.requireNonNull(config, "config");
    }

    public RolePriors priors() {
        return priors;
    }

    public SkillTracker tracker() {
        return tracker;
    }

    /**
     * @param features     for keyword hits; may be null
     * @param neighbourhood similar past outcomes; may be null
     */
    public Prediction predict(String role, String category, double difficulty, RequestFeatures features,
            Neighbourhood neighbourhood) {
        int hits = features == null ? 0 : features.keywordHits(role);
        double p0 = priors.prior(role, category, difficulty, hits);
        double n0 = tracker.config().priorStrength();
        SkillTracker.Evidence e = tracker.evidence(category, role);
        double num = n0 * p0 + e.successes();
        double den = n0 + e.successes() + e.failures();
        double rate = Double.NaN;
        double kw = 0;
        Neighbourhood.RoleEvidence ev = neighbourhood == null ? null : neighbourhood.roles().get(role);
        if (ev != null && ev.weight() > 0) {
            rate = ev.successRate();
            kw = Math.min(config.knnWeight() * ev.weight(), config.maxKnnWeight());
            num += kw * rate;
            den += kw;
        }
        double p = den > 0 ? num / den : p0;
        return new Prediction(role, Math.max(0, Math.min(1, p)), p0, e.successes(), e.failures(), e.mean(), rate, kw,
                hits);
    }

    /** Predictions for {@code roles}, in their order. */
    public Map<String, Prediction> predictAll(Collection<String> roles, String category, double difficulty,
            RequestFeatures features, Neighbourhood neighbourhood) {
        Map<String, Prediction> out = new LinkedHashMap<>();
        for (String r : roles) {
            out.put(r, predict(r, category, difficulty, features, neighbourhood));
        }
        return out;
    }
}
