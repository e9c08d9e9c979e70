package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.Tier;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Routing for {@code model: auto}: the cheapest role likely to answer well.
 *
 * <ol>
 *   <li>{@link FeatureExtractor} reads the request; {@link Classifier} gives a category and a difficulty.</li>
 *   <li>If an {@link ExemplarIndex} is present, the request's excerpt is embedded once and looked up: when its
 *       labelled neighbours are similar ({@code meanSimilarity ≥ knnMinSimilarity}) and agree
 *       ({@code topShare ≥ knnMinShare}), they may override a category the rules were unsure about
 *       ({@code confidence < ruleConfidenceToKeep}; never long-context, which is decided by length), and their mean
 *       difficulty is blended in: {@code d = (1 − knnDifficultyWeight)·d_rules + knnDifficultyWeight·d_neighbours}.</li>
 *   <li>{@link SuccessPredictor} gives each user-serving role a predicted success p.</li>
 *   <li>Each role's effective cost is its registry {@code routing.cost} plus
 *       {@code waitCostPerSecond × expected wait} (seconds until a cold role could answer, from the caller).</li>
 *   <li>The choice is the role with the lowest effective cost among those with {@code p ≥ target}; if none
 *       reaches the target, the role with the highest p. Alternatives: the other roles meeting the target by cost,
 *       then the rest by p.</li>
 *   <li>Rarely (capped, see {@link SkillTracker#explore}) a request explores another warm candidate so that the
 *       tracker keeps learning about roles the rule would never pick.</li>
 * </ol>
 * Use: {@link #assess} a request once (features, category, difficulty, neighbourhood, embedding), {@link #route}
 * the assessment when the client asked for {@code auto}, and report every judged attempt with
 * {@link #recordOutcome(Assessment, String, boolean, double)}, which feeds the tracker and the index; requests that
 * named a role are assessed and recorded the same way, so the router learns from them too. {@link #explain} is the
 * side-effect-free view for {@code /admin/route-explain}. Plain Java, thread-safe, no CDI.
 */
public final class ComplexityRouter {

    private static final Logger LOG = Logger.getLogger(ComplexityRouter.class);

    /**
     * @param target               success probability a role must reach to be chosen on cost, in (0, 1)
     * @param waitCostPerSecond    cost units added per second of expected wait for a cold role (≥ 0)
     * @param neighbours           k for exemplar lookups
     * @param explore              whether {@link SkillTracker#explore} may divert a request
     * @param exploreColdRoles     whether exploration may pick a role with a positive expected wait
     * @param knnMinSimilarity     neighbours must be at least this similar on average to influence the category
     *                             and difficulty
     * @param knnMinShare          the neighbours' top category must hold at least this share of the vote
     * @param ruleConfidenceToKeep rule classifications at least this confident are never overridden
     * @param knnDifficultyWeight  weight of the neighbours' mean difficulty, in [0, 1]
     */
    public record Config(double target, double waitCostPerSecond, int neighbours, boolean explore,
            boolean exploreColdRoles, double knnMinSimilarity, double knnMinShare, double ruleConfidenceToKeep,
            double knnDifficultyWeight) {

        /**
         * Target 0.8; 0.2 cost units per second of wait; k = 8; exploration on (warm roles only); neighbours count
         * when their mean cosine similarity is ≥ 0.4 (with all-MiniLM-L6-v2 and the 80 shipped exemplars a typical
         * query's 8 neighbours average 0.2–0.4, so only close paraphrases of exemplars override the rules), agree by
         * ≥ 0.6 and the rules' confidence is &lt; 0.5; neighbour difficulty weight 0.3.
         */
        public static final Config DEFAULTS = new Config(0.8, 0.2, 8, true, false, 0.4, 0.6, 0.5, 0.3);

        public Config {
            if (!(target > 0 && target < 1)) {
                throw new IllegalArgumentException("target must be in (0, 1) (was " + target + ")");
            }
            if (!(waitCostPerSecond >= 0) || neighbours < 1) {
                throw new IllegalArgumentException("waitCostPerSecond must be ≥ 0 and neighbours ≥ 1");
            }
            if (!(knnDifficultyWeight >= 0 && knnDifficultyWeight <= 1)) {
                throw new IllegalArgumentException("knnDifficultyWeight must be in [0, 1]");
            }
        }

        public Config withTarget(double t) {
            return new Config(t, waitCostPerSecond, neighbours, explore, exploreColdRoles, knnMinSimilarity,
                    knnMinShare, ruleConfidenceToKeep, knnDifficultyWeight);
        }

        public Config withExplore(boolean e) {
            return new Config(target, waitCostPerSecond, neighbours, e, exploreColdRoles, knnMinSimilarity,
                    knnMinShare, ruleConfidenceToKeep, knnDifficultyWeight);
        }

        public Config withWaitCostPerSecond(double w) {
            return new Config(target, w, neighbours, explore, exploreColdRoles, knnMinSimilarity, knnMinShare,
                    ruleConfidenceToKeep, knnDifficultyWeight);
        }
    }

    /**
     * One role as the router saw it.
     *
     * @param cost              registry routing cost
     * @param expectedWaitSeconds what the caller's wait function said (0 for a ready role)
     * @param effectiveCost     cost + waitCostPerSecond × expectedWaitSeconds
     */
    public record Candidate(String role, Tier tier, double predictedSuccess, double cost, double expectedWaitSeconds,
            double effectiveCost, boolean meetsTarget, SuccessPredictor.Prediction prediction) {
    }

    /**
     * Everything behind one decision, for {@code /admin/route-explain} and logs.
     *
     * @param rules          the rule classifier's output
     * @param category       the category used (rules, or neighbours when they overrode)
     * @param categorySource {@code rules} or {@code neighbours}
     * @param difficulty     the difficulty used
     * @param neighbourhood  exemplar lookup result (empty without an index)
     * @param candidates     every user-serving role, ranked as the router ranks them (chosen first)
     * @param explored       true when exploration overrode the ranking
     */
    public record Explanation(RequestFeatures features, Classification rules, String category,
            String categorySource, double difficulty, Neighbourhood neighbourhood, double target,
            List<Candidate> candidates, String chosen, boolean explored, String reason) {

        public Explanation {
            candidates = List.copyOf(candidates);
        }

        public Optional<Candidate> candidate(String role) {
            return candidates.stream().filter(c -> c.role().equals(role)).findFirst();
        }
    }

    /**
     * What the router made of a request before choosing a role: enough to route it, to key the skill tracker when
     * the client named a role itself, and to learn from its outcome later ({@link #recordOutcome}).
     *
     * @param category       the category used (rules, or neighbours when they overrode)
     * @param categorySource {@code rules} or {@code neighbours}
     * @param difficulty     the difficulty used
     * @param neighbourhood  exemplar lookup result ({@link Neighbourhood#EMPTY} without an index)
     * @param queryVector    the request's embedding (null without an index), kept so the outcome is not embedded
     *                       again
     */
    public record Assessment(RequestFeatures features, Classification rules, String category, String categorySource,
            double difficulty, Neighbourhood neighbourhood, float[] queryVector) {
    }

    /** A decision, its explanation, and the assessment it was made from. */
    public record Routed(RoutingDecision decision, Explanation explanation, Assessment assessment) {

        public String category() {
            return assessment.category();
        }

        public double difficulty() {
            return assessment.difficulty();
        }

        public float[] queryVector() {
            return assessment.queryVector();
        }
    }

    private final ModelRegistry registry;
    private final FeatureExtractor extractor;
    private final Classifier classifier;
    private final ExemplarIndex index;
    private final SuccessPredictor predictor;
    private final Config config;
    private final List<String> roles;

    /**
     * @param index may be null: routing then uses rules, priors and the skill tracker only
     */
    public ComplexityRouter(ModelRegistry registry, FeatureExtractor extractor, Classifier classifier,
            ExemplarIndex index, SuccessPredictor predictor, Config config) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.index = index;
        this.predictor = Objects.requireNonNull(predictor, "predictor");
        this.config = Objects.requireNonNull(config, "config");
        this.roles = registry.roles().values().stream().filter(RoleSpec::servesUsers).map(RoleSpec::name).toList();
        if (roles.isEmpty()) {
            throw new IllegalArgumentException(registry.source() + " has no role that serves users");
        }
    }

    /**
     * Everything with defaults from the registry: extractor and classifier from its routing hints, priors with
     * {@link RolePriors.Config#DEFAULTS}, the given tracker (built with {@code RolePriors…asTrackerPrior()} — see
     * {@link #trackerFor}), and, when {@code embedder} is not null, an index holding the shipped exemplars.
     */
    public static ComplexityRouter create(ModelRegistry registry, Embedder embedder, SkillTracker tracker,
            Config config) {
        return create(registry, embedder, dev.echelon.memory.ExactIndex::new, tracker, config);
    }

    /** As above, with the kNN's vectors held in indexes from {@code indexes} (FAISS in the service). */
    public static ComplexityRouter create(ModelRegistry registry, Embedder embedder,
            java.util.function.IntFunction<dev.echelon.memory.VectorIndex> indexes, SkillTracker tracker,
            Config config) {
        RolePriors priors = RolePriors.fromRegistry(registry, RolePriors.Config.DEFAULTS);
        ExemplarIndex index = embedder == null ? null
                : ExemplarIndex.withDefaultExemplars(embedder, ExemplarIndex.Config.DEFAULTS, indexes);
        return new ComplexityRouter(registry, FeatureExtractor.fromRegistry(registry),
                Classifier.fromRegistry(registry), index,
                new SuccessPredictor(priors, tracker, SuccessPredictor.Config.DEFAULTS), config);
    }

    /** A tracker whose priors are the registry's default {@link RolePriors}. */
    public static SkillTracker trackerFor(ModelRegistry registry, SkillTracker.Config config) {
        return new SkillTracker(config, RolePriors.fromRegistry(registry, RolePriors.Config.DEFAULTS).asTrackerPrior());
    }

    public Config config() {
        return config;
    }

    public SkillTracker tracker() {
        return predictor.tracker();
    }

    public Optional<ExemplarIndex> index() {
        return Optional.ofNullable(index);
    }

    /** The roles {@code auto} chooses among, in registry order. */
    public List<String> candidates() {
        return roles;
    }

    /**
     * Routes an OpenAI chat-completions body: {@code route(assess(body), expectedWaitSeconds)}.
     *
     * @param expectedWaitSeconds seconds until a role could start answering (0 when ready; e.g. a load estimate for
     *                            a cold role); null means every role is ready
     */
    public Routed route(JsonNode chatBody, ToDoubleFunction<String> expectedWaitSeconds) {
        return route(assess(chatBody), expectedWaitSeconds);
    }

    /** Routes an assessed request (may explore, and counts a decision for the exploration cap). */
    public Routed route(Assessment assessment, ToDoubleFunction<String> expectedWaitSeconds) {
        return decide(assessment, expectedWaitSeconds, config.explore());
    }

    /** What {@link #route} would decide, without exploring and without counting a decision (for admin). */
    public Explanation explain(JsonNode chatBody, ToDoubleFunction<String> expectedWaitSeconds) {
        return decide(assess(chatBody), expectedWaitSeconds, false).explanation();
    }

    /** Features, category and difficulty of an OpenAI chat (or completions) body, with its neighbourhood. */
    public Assessment assess(JsonNode body) {
        return assess(extractor.extract(body));
    }

    public Assessment assess(RequestFeatures f) {
        Classification rules = classifier.classify(f);
        String category = rules.category();
        String source = "rules";
        double difficulty = rules.difficulty();
        Neighbourhood nb = Neighbourhood.EMPTY;
        float[] vector = null;
        if (index != null && !f.queryExcerpt().isBlank()) {
            try {
                vector = index.embed(f.queryExcerpt());
                nb = index.query(vector, config.neighbours());
            } catch (RuntimeException e) {
                LOG.warnf("exemplar lookup failed, routing on rules only: %s", e.toString());
                vector = null;
                nb = Neighbourhood.EMPTY;
            }
            if (nb.meanSimilarity() >= config.knnMinSimilarity() && !nb.neighbours().isEmpty()) {
                Optional<String> top = nb.topCategory();
                if (top.isPresent() && !top.get().equals(category) && nb.topShare() >= config.knnMinShare()
                        && rules.confidence() < config.ruleConfidenceToKeep()
                        && !category.equals(TaskCategory.LONG_CONTEXT)
                        && !top.get().equals(TaskCategory.LONG_CONTEXT)) {
                    category = top.get();
                    source = "neighbours";
                    difficulty = classifier.difficulty(f, category);
                }
                if (!Double.isNaN(nb.meanDifficulty())) {
                    double w = config.knnDifficultyWeight();
                    difficulty = (1 - w) * difficulty + w * nb.meanDifficulty();
                }
            }
        }
        return new Assessment(f, rules, category, source, difficulty, nb, vector);
    }

    private Routed decide(Assessment a, ToDoubleFunction<String> wait, boolean mayExplore) {
        RequestFeatures f = a.features();
        String category = a.category();
        double difficulty = a.difficulty();
        Neighbourhood nb = a.neighbourhood();
        Map<String, SuccessPredictor.Prediction> preds = predictor.predictAll(roles, category, difficulty, f, nb);
        List<Candidate> cands = new ArrayList<>();
        for (String role : roles) {
            RoleSpec spec = registry.requireRole(role);
            double w = wait == null ? 0 : wait.applyAsDouble(role);
            if (!(w > 0) || !Double.isFinite(w)) {
                w = Double.isInfinite(w) && w > 0 ? 1e6 : 0;
            }
            double cost = spec.routing().cost();
            SuccessPredictor.Prediction p = preds.get(role);
            cands.add(new Candidate(role, spec.tier(), p.success(), cost, w, cost + config.waitCostPerSecond() * w,
                    p.success() >= config.target(), p));
        }
        List<Candidate> ranked = rank(cands);
        Candidate best = ranked.get(0);
        Candidate chosen = best;
        boolean explored = false;
        if (mayExplore) {
            List<String> pool = cands.stream()
                    .filter(c -> config.exploreColdRoles() || c.expectedWaitSeconds() <= 0 || c == best)
                    .sorted(Comparator.comparingDouble(Candidate::effectiveCost)).map(Candidate::role).toList();
            Optional<String> x = predictor.tracker().explore(category, pool, best.role(), config.target());
            if (x.isPresent()) {
                String role = x.get();
                chosen = cands.stream().filter(c -> c.role().equals(role)).findFirst().orElse(best);
                explored = chosen != best;
            }
        }
        List<Candidate> order = new ArrayList<>();
        order.add(chosen);
        for (Candidate c : ranked) {
            if (c != chosen) {
                order.add(c);
            }
        }
        String reason = reason(category, a.categorySource(), difficulty, chosen, best, explored);
        Explanation ex = new Explanation(f, a.rules(), category, a.categorySource(), difficulty, nb, config.target(),
                order, chosen.role(), explored, reason);
        RoutingDecision decision = new RoutingDecision(chosen.role(), chosen.tier(), reason, chosen.predictedSuccess(),
                order.subList(1, order.size()).stream().map(Candidate::role).toList());
        return new Routed(decision, ex, a);
    }

    /** Roles meeting the target by effective cost (then higher p), followed by the rest by p (then lower cost). */
    static List<Candidate> rank(List<Candidate> cands) {
        List<Candidate> meeting = new ArrayList<>(cands.stream().filter(Candidate::meetsTarget).toList());
        meeting.sort(Comparator.comparingDouble(Candidate::effectiveCost)
                .thenComparing(Comparator.comparingDouble(Candidate::predictedSuccess).reversed()));
        List<Candidate> rest = new ArrayList<>(cands.stream().filter(c -> !c.meetsTarget()).toList());
        rest.sort(Comparator.comparingDouble(Candidate::predictedSuccess).reversed()
                .thenComparingDouble(Candidate::effectiveCost));
        meeting.addAll(rest);
        return meeting;
    }

    private String reason(String category, String source, double difficulty, Candidate chosen, Candidate best,
            boolean explored) {
        StringBuilder sb = new StringBuilder("auto: ").append(category);
        if (source.equals("neighbours")) {
            sb.append(" (from similar requests)");
        }
        sb.append(String.format(java.util.Locale.ROOT, ", difficulty %.2f → %s: ", difficulty, chosen.role()));
        if (explored) {
            sb.append(String.format(java.util.Locale.ROOT,
                    "exploring (predicted success %.2f; the rule would pick %s at %.2f)", chosen.predictedSuccess(),
                    best.role(), best.predictedSuccess()));
        } else if (chosen.meetsTarget()) {
            sb.append(String.format(java.util.Locale.ROOT,
                    "predicted success %.2f ≥ target %.2f, cheapest such role (cost %s", chosen.predictedSuccess(),
                    config.target(), num(chosen.effectiveCost())));
            if (chosen.expectedWaitSeconds() > 0) {
                sb.append(String.format(java.util.Locale.ROOT, " incl. %.0f s expected wait",
                        chosen.expectedWaitSeconds()));
            }
            sb.append(')');
        } else {
            sb.append(String.format(java.util.Locale.ROOT,
                    "no role reaches target %.2f; highest predicted success %.2f (cost %s)", config.target(),
                    chosen.predictedSuccess(), num(chosen.effectiveCost())));
        }
        return sb.toString();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    /** Reports how a routed request went (weight 1). */
    public void recordOutcome(Routed routed, String servedRole, boolean success) {
        recordOutcome(routed.assessment(), servedRole, success, 1.0);
    }

    public void recordOutcome(Routed routed, String servedRole, boolean success, double weight) {
        recordOutcome(routed.assessment(), servedRole, success, weight);
    }

    /**
     * Reports how an attempt went: the tracker learns (category, role) and the index remembers the text. Works for
     * requests that named their role too (assess them, skip {@link #route}).
     *
     * @param servedRole the role that actually answered (after escalation it may differ from the decision)
     * @param weight     1 for an observed verdict; less for weaker evidence; 0 records nothing in the index
     */
    public void recordOutcome(Assessment assessment, String servedRole, boolean success, double weight) {
        predictor.tracker().record(assessment.category(), servedRole, success, weight);
        if (index != null && assessment.queryVector() != null && weight > 0) {
            index.recordOutcome(assessment.queryVector(), servedRole, success);
        }
    }
}
