package dev.echelon.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rule classifier against the labelled evaluation set (src/test/resources/routing/eval-prompts.jsonl). */
class ClassifierEvalTest {

    static final List<String> CATS = List.of("chat", "factual", "code", "math", "reasoning", "architecture",
            "long-context");
    static final List<String> DIFFS = List.of("easy", "medium", "hard");

    final FeatureExtractor extractor = FeatureExtractor.fromRegistry(RoutingFixtures.REGISTRY);
    final Classifier classifier = Classifier.fromRegistry(RoutingFixtures.REGISTRY);

    @Test
    void evalSetIsLargeBalancedAndWellFormed() {
        List<RoutingFixtures.EvalPrompt> eval = RoutingFixtures.evalPrompts();
        assertTrue(eval.size() >= 300, "eval set has " + eval.size() + " prompts");
        Set<String> ids = new HashSet<>();
        Map<String, Integer> cells = new TreeMap<>();
        for (RoutingFixtures.EvalPrompt p : eval) {
            assertTrue(ids.add(p.id()), "duplicate id " + p.id());
            assertTrue(CATS.contains(p.category()), p.id() + ": category " + p.category());
            assertTrue(DIFFS.contains(p.difficulty()), p.id() + ": difficulty " + p.difficulty());
            cells.merge(p.category() + "/" + p.difficulty(), 1, Integer::sum);
            if (p.category().equals("long-context")) {
                assertTrue(p.prompt().length() / 4 > Classifier.DEFAULT_LONG_CONTEXT_TOKENS,
                        p.id() + " is only " + p.prompt().length() + " chars");
            }
        }
        assertEquals(CATS.size() * DIFFS.size(), cells.size(), "every category × difficulty: " + cells);
        cells.forEach((k, v) -> assertTrue(v >= 12 && v <= 20, k + " has " + v));
    }

    @Test
    void evalSetDoesNotOverlapTheExemplars() {
        List<ExemplarIndex.Exemplar> ex = ExemplarIndex.loadDefaultExemplars();
        assertTrue(ex.size() >= 75, "exemplars: " + ex.size());
        Set<String> exCats = new HashSet<>();
        ex.forEach(e -> exCats.add(e.category()));
        assertTrue(exCats.containsAll(CATS), "exemplars cover every category: " + exCats);
        for (RoutingFixtures.EvalPrompt p : RoutingFixtures.evalPrompts()) {
            Set<String> a = words(p.prompt());
            for (ExemplarIndex.Exemplar e : ex) {
                Set<String> b = words(e.text());
                Set<String> inter = new HashSet<>(a);
                inter.retainAll(b);
                Set<String> union = new HashSet<>(a);
                union.addAll(b);
                double jaccard = union.isEmpty() ? 0 : (double) inter.size() / union.size();
                assertTrue(jaccard < 0.5, p.id() + " overlaps exemplar '" + e.text() + "' (Jaccard " + jaccard + ")");
            }
        }
    }

    /** Content words: lower case, without the function words every question shares. */
    private static Set<String> words(String s) {
        Set<String> w = new HashSet<>(List.of(s.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")));
        w.removeAll(Set.of("", "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "is", "are", "what",
                "s", "whats", "how", "do", "does", "i", "my", "me", "you", "it", "this", "that", "with", "between",
                "difference", "why", "can", "which", "who", "when", "where", "be", "by", "at", "as", "from"));
        return w;
    }

    @Test
    void ruleClassifierAccuracyOnTheEvalSet() {
        List<RoutingFixtures.EvalPrompt> eval = RoutingFixtures.evalPrompts();
        Map<String, Map<String, Integer>> confusion = new LinkedHashMap<>();
        Map<String, List<Double>> diffByLabel = new LinkedHashMap<>();
        Map<String, List<Double>> diffByCell = new TreeMap<>();
        DIFFS.forEach(d -> diffByLabel.put(d, new ArrayList<>()));
        int correct = 0;
        List<String> misses = new ArrayList<>();
        for (RoutingFixtures.EvalPrompt p : eval) {
            Classification c = classifier.classify(extractor.extract(RoutingFixtures.chat(p.prompt())));
            confusion.computeIfAbsent(p.category(), k -> new TreeMap<>()).merge(c.category(), 1, Integer::sum);
            if (c.category().equals(p.category())) {
                correct++;
            } else {
                misses.add(p.id() + " → " + c.category() + ": " + abbreviate(p.prompt()));
            }
            diffByLabel.get(p.difficulty()).add(c.difficulty());
            diffByCell.computeIfAbsent(p.category() + "/" + p.difficulty(), k -> new ArrayList<>()).add(c.difficulty());
        }
        double accuracy = (double) correct / eval.size();
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "classifier accuracy %.3f (%d/%d)%n", accuracy, correct,
                eval.size()));
        confusion.forEach((label, row) -> report.append("  ").append(label).append(" → ").append(row).append('\n'));
        diffByLabel.forEach((label, ds) -> report.append(String.format(Locale.ROOT,
                "  difficulty label %-6s mean estimate %.3f%n", label, mean(ds))));
        diffByCell.forEach((cell, ds) -> report.append(String.format(Locale.ROOT, "  %-22s mean difficulty %.3f%n",
                cell, mean(ds))));
        misses.forEach(m -> report.append("  miss ").append(m).append('\n'));
        System.out.println(report);
        assertTrue(accuracy >= 0.7, "accuracy " + accuracy + "\n" + report);
        assertTrue(mean(diffByLabel.get("easy")) < mean(diffByLabel.get("medium"))
                && mean(diffByLabel.get("medium")) < mean(diffByLabel.get("hard")), report.toString());
    }

    /** Accuracy of the category the router uses (rules, overridden by agreeing similar exemplars) for an embedder. */
    static double routerCategoryAccuracy(Embedder embedder, String label) {
        SkillTracker tracker = ComplexityRouter.trackerFor(RoutingFixtures.REGISTRY,
                SkillTracker.Config.DEFAULTS.withExplorationRate(0));
        ComplexityRouter router = ComplexityRouter.create(RoutingFixtures.REGISTRY, embedder, tracker,
                ComplexityRouter.Config.DEFAULTS.withExplore(false));
        int correct = 0;
        int overridden = 0;
        int overriddenRight = 0;
        List<RoutingFixtures.EvalPrompt> eval = RoutingFixtures.evalPrompts();
        for (RoutingFixtures.EvalPrompt p : eval) {
            ComplexityRouter.Explanation ex = router.explain(RoutingFixtures.chat(p.prompt()), null);
            if (ex.category().equals(p.category())) {
                correct++;
            }
            if (ex.categorySource().equals("neighbours")) {
                overridden++;
                if (ex.category().equals(p.category())) {
                    overriddenRight++;
                }
            }
        }
        double acc = (double) correct / eval.size();
        System.out.printf(Locale.ROOT, "router category accuracy with %s: %.3f (%d/%d); neighbours overrode %d, "
                + "%d of them correctly%n", label, acc, correct, eval.size(), overridden, overriddenRight);
        return acc;
    }

    @Test
    void rulesPlusNeighboursWithTheHashingEmbedder() {
        assertTrue(routerCategoryAccuracy(new HashingEmbedder(), "hashing embedder") >= 0.7);
    }

    static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 90 ? one.substring(0, 90) + "…" : one;
    }
}
