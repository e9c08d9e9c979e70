package dev.echelon.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where {@code auto} sends the evaluation prompts with the default priors and no learning yet: a report of the
 * routing table and its cost, with sanity checks on the clear cells.
 */
class RoutingEvalTest {

    @Test
    void routingTableOnTheEvalSet() {
        SkillTracker tracker = ComplexityRouter.trackerFor(RoutingFixtures.REGISTRY,
                SkillTracker.Config.DEFAULTS.withExplorationRate(0));
        ComplexityRouter router = ComplexityRouter.create(RoutingFixtures.REGISTRY, null, tracker,
                ComplexityRouter.Config.DEFAULTS.withExplore(false));
        Map<String, Map<String, Integer>> table = new LinkedHashMap<>();
        Map<String, List<Double>> cost = new TreeMap<>();
        double total = 0;
        int n = 0;
        for (String c : ClassifierEvalTest.CATS) {
            for (String d : ClassifierEvalTest.DIFFS) {
                table.put(c + "/" + d, new TreeMap<>());
            }
        }
        for (RoutingFixtures.EvalPrompt p : RoutingFixtures.evalPrompts()) {
            ComplexityRouter.Routed r = router.route(RoutingFixtures.chat(p.prompt()), null);
            String role = r.decision().role();
            table.get(p.category() + "/" + p.difficulty()).merge(role, 1, Integer::sum);
            double c = RoutingFixtures.REGISTRY.requireRole(role).routing().cost();
            cost.computeIfAbsent(p.category(), k -> new ArrayList<>()).add(c);
            total += c;
            n++;
        }
        StringBuilder sb = new StringBuilder("auto routing of the eval set (default priors, no outcomes yet)\n");
        table.forEach((cell, roles) -> sb.append(String.format(Locale.ROOT, "  %-22s %s%n", cell, roles)));
        cost.forEach((c, xs) -> sb.append(String.format(Locale.ROOT, "  mean cost %-13s %.2f%n", c,
                ClassifierEvalTest.mean(xs))));
        sb.append(String.format(Locale.ROOT, "  mean cost overall %.2f (always coder 16, always architect 8)%n",
                total / n));
        System.out.println(sb);

        assertTrue(share(table, "chat", "frontdoor") >= 0.8, sb.toString());
        assertTrue(share(table, "factual", "frontdoor") + share(table, "factual", "worker") >= 0.8, sb.toString());
        assertTrue(share(table, "math", "math") >= 0.6, sb.toString());
        assertTrue(share(table, "long-context", "architect") >= 0.8, sb.toString());
        assertTrue(table.get("code/hard").getOrDefault("coder", 0) >= 10, sb.toString());
        assertTrue(table.get("architecture/hard").getOrDefault("architect", 0) >= 10, sb.toString());
        assertTrue(total / n < 8, "auto is cheaper than sending everything to the cheaper expert: " + total / n);
    }

    private static double share(Map<String, Map<String, Integer>> table, String category, String role) {
        int hit = 0;
        int all = 0;
        for (String d : ClassifierEvalTest.DIFFS) {
            Map<String, Integer> row = table.get(category + "/" + d);
            hit += row.getOrDefault(role, 0);
            all += row.values().stream().mapToInt(Integer::intValue).sum();
        }
        return all == 0 ? 0 : (double) hit / all;
    }
}
