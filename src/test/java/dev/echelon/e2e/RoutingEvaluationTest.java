package dev.echelon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.TestBackends;
import dev.echelon.backend.InstancePool;
import dev.echelon.backend.PooledInstance;
import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.quality.JsonExpectation;
import dev.echelon.quality.QualityGate;
import dev.echelon.quality.Transcript;
import dev.echelon.quality.Verdict;
import dev.echelon.registry.InstanceSpec;
import dev.echelon.registry.LaunchSpec;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.RoleSpec;
import dev.echelon.registry.VariantSpec;
import dev.echelon.routing.ComplexityRouter;
import dev.echelon.routing.HashingEmbedder;
import dev.echelon.routing.SkillTracker;
import dev.echelon.supervisor.Supervisor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offline routing evaluation (RouteLLM-style) over the labelled prompts in {@code routing/eval-prompts.jsonl}.
 *
 * <p>Every prompt is sent to every user-serving role's backend <em>directly</em> (no Echelon escalation), and each
 * answer is judged by Echelon's {@link QualityGate} alone — the behaviour of the backends decides success, nothing
 * in {@code dev.echelon.fake} is consulted. That gives a success matrix success[prompt][role]; routing policies are
 * then scored against it: success rate, cost in registry {@code routing.cost} units, mean modelled latency, and
 * APGR of the router's target sweep. See {@code bench/routing/README.md}.
 */
@QuarkusTest
@TestProfile(RoutingEvaluationProfile.class)
class RoutingEvaluationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TOKENS = 256;
    private static final int IN_FLIGHT = 8;
    private static final double DEFAULT_TARGET = ComplexityRouter.Config.DEFAULTS.target();
    private static final long SEED = 42;
    private static final int RANDOM_DRAWS = 20;
    private static final int APGR_STEPS = 20;

    @Inject
    InstancePool pool;
    @Inject
    ModelRegistry registry;
    @Inject
    Supervisor supervisor;

    record Prompt(String id, String category, String difficulty, String text) {
    }

    /** One judged answer of one role to one prompt. */
    record Cell(boolean pass, int promptTokens, int completionTokens, double latencySeconds, String reason) {
    }

    /** A policy's aggregate result. */
    record Result(String policy, double success, double cost, double latency, String note) {
    }

    private List<Prompt> prompts;
    private List<String> roles;           // user-serving roles, cheapest first
    private Map<String, Double> roleCost; // registry routing.cost
    private Cell[][] cells;               // [prompt][role index]

    @Test
    void evaluateRoutingPolicies() throws Exception {
        long started = System.nanoTime();
        TestBackends.awaitAllReady(supervisor);
        prompts = loadPrompts();
        roles = registry.roles().values().stream().filter(RoleSpec::servesUsers)
                .sorted((a, b) -> Double.compare(a.routing().cost(), b.routing().cost())).map(RoleSpec::name)
                .toList();
        roleCost = new LinkedHashMap<>();
        roles.forEach(r -> roleCost.put(r, registry.requireRole(r).routing().cost()));
        assertEquals(List.of("frontdoor", "worker", "math", "architect", "coder"), roles, "user-serving roles");

        cells = judgeEverything();
        long judgedAt = System.nanoTime();

        int n = prompts.size();
        String weak = registry.frontDoor().name();
        String strong = roles.stream().max((a, b) -> Double.compare(roleCost.get(a), roleCost.get(b))).orElseThrow();

        // --- policies ---------------------------------------------------------------------------------------
        List<Result> results = new ArrayList<>();
        int[] routerChoice = routeAll(DEFAULT_TARGET);
        Result router = score("router (target " + DEFAULT_TARGET + ")", routerChoice, "");
        Result frontDoor = score("always-front-door", constant(weak), "");
        Result largest = score("always-largest (" + strong + ")", constant(strong), "");
        Result random = randomPolicy();
        int[] oracleChoice = oracle();
        Result oracle = score("oracle", oracleChoice, "cheapest role that passes");
        Result learning = routerWithLearning();
        Result escalation = routerWithEscalation(routerChoice);
        results.add(router);
        results.add(learning);
        results.add(escalation);
        results.add(frontDoor);
        results.add(largest);
        results.add(random);
        results.add(oracle);

        // --- APGR over the target sweep ------------------------------------------------------------------------
        List<double[]> sweep = new ArrayList<>(); // {target, cost, success}
        for (double t : sweepTargets()) {
            Result r = score("t", routeAll(t), "");
            sweep.add(new double[] {t, r.cost(), r.success()});
        }
        Double apgr = apgr(sweep, frontDoor, largest, false);
        Double apgrClamped = apgr(sweep, frontDoor, largest, true);
        long done = System.nanoTime();

        // --- report ---------------------------------------------------------------------------------------------
        String report = report(results, router, largest, frontDoor, oracle, routerChoice, oracleChoice, sweep, apgr, apgrClamped,
                (judgedAt - started) / 1e9, (done - started) / 1e9);
        System.out.println(report);
        Path out = Path.of("target", "routing-eval.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);

        // --- robust assertions only -------------------------------------------------------------------------------
        assertTrue(n >= 300, "evaluated " + n + " prompts");
        for (Cell[] row : cells) {
            for (Cell c : row) {
                assertTrue(c != null, "every prompt × role was judged");
            }
        }
        for (Result r : results) {
            assertTrue(oracle.success() >= r.success() - 1e-9 || r.policy().contains("escalation"),
                    "oracle success ≥ " + r.policy());
        }
        assertTrue(oracle.cost() <= largest.cost(), "oracle cost ≤ always-largest cost");
        assertTrue(router.cost() < largest.cost(), "router cost < always-largest cost");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Data collection

    private List<Prompt> loadPrompts() throws Exception {
        List<Prompt> list = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/routing/eval-prompts.jsonl")) {
            assertTrue(in != null, "routing/eval-prompts.jsonl on the test classpath");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null;) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode j = JSON.readTree(line);
                list.add(new Prompt(j.path("id").asText(), j.path("category").asText(), j.path("difficulty").asText(),
                        j.path("prompt").asText()));
            }
        }
        return list;
    }

    private ObjectNode chatBody(String prompt, String model) {
        ObjectNode body = JSON.createObjectNode();
        if (model != null) {
            body.put("model", model);
        }
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", MAX_TOKENS);
        body.put("logprobs", true);
        body.put("top_logprobs", 3);
        body.put("seed", 1);
        body.put("temperature", 0);
        return body;
    }

    /** Every prompt × role, IN_FLIGHT requests at a time, straight to the role's first backend instance. */
    private Cell[][] judgeEverything() throws Exception {
        Cell[][] out = new Cell[prompts.size()][roles.size()];
        CostModel costModel = new CostModel();
        QualityGate gate = new QualityGate();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int ri = 0; ri < roles.size(); ri++) {
            String role = roles.get(ri);
            PooledInstance instance = pool.of(role).get(0);
            Latency latency = latencyModel(role, costModel);
            for (int pi = 0; pi < prompts.size(); pi++) {
                final int p = pi;
                final int r = ri;
                inFlight.acquire();
                CompletableFuture<?> f = instance.client()
                        .openAiJson("/v1/chat/completions", chatBody(prompts.get(p).text(), null))
                        .orTimeout(60, TimeUnit.SECONDS)
                        .whenComplete((json, err) -> {
                            try {
                                if (err != null) {
                                    out[p][r] = new Cell(false, 0, 0, 0, "request failed: " + err);
                                    return;
                                }
                                Verdict v = gate.judge(
                                        Transcript.fromChatCompletion(json, MAX_TOKENS, JsonExpectation.NONE, 0));
                                int pt = json.path("usage").path("prompt_tokens").asInt();
                                int ct = json.path("usage").path("completion_tokens").asInt();
                                out[p][r] = new Cell(v.pass(), pt, ct, latency.seconds(pt, ct), v.reason());
                            } finally {
                                inFlight.release();
                            }
                        });
                all.add(f);
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(10,
                TimeUnit.MINUTES);
        return out;
    }

    private interface Latency {
        double seconds(int promptTokens, int completionTokens);
    }

    /** CostModel latency for one request on the role's first instance, as launched (variant, GPU layers). */
    private Latency latencyModel(String role, CostModel costModel) {
        RoleSpec spec = registry.requireRole(role);
        ModelSpec model = spec.model().orElseThrow();
        InstanceSpec instance = spec.instances().get(0);
        LaunchSpec launch = instance.launch().orElseThrow();
        VariantSpec variant = launch.variant() == null ? model.referenceVariant()
                : model.variant(launch.variant()).orElse(model.referenceVariant());
        double gpuFraction = launch.gpuLayers().fraction(variant.layers());
        Calibration calibration = Calibration.of(model);
        return (pt, ct) -> costModel.serviceCost(calibration, variant, gpuFraction, pt, 1).totalSeconds(ct);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Policies

    private ComplexityRouter freshRouter(double target) {
        return ComplexityRouter.create(registry, new HashingEmbedder(),
                ComplexityRouter.trackerFor(registry, SkillTracker.Config.DEFAULTS.withExplorationRate(0)),
                ComplexityRouter.Config.DEFAULTS.withTarget(target).withExplore(false));
    }

    private int[] routeAll(double target) {
        ComplexityRouter router = freshRouter(target);
        int[] choice = new int[prompts.size()];
        for (int p = 0; p < prompts.size(); p++) {
            String role = router.route(chatBody(prompts.get(p).text(), "auto"), null).decision().role();
            choice[p] = roles.indexOf(role);
            assertTrue(choice[p] >= 0, "router chose a user-serving role: " + role);
        }
        return choice;
    }

    private int[] constant(String role) {
        int[] c = new int[prompts.size()];
        java.util.Arrays.fill(c, roles.indexOf(role));
        return c;
    }

    private int[] oracle() {
        int[] c = new int[prompts.size()];
        for (int p = 0; p < prompts.size(); p++) {
            c[p] = 0; // cheapest role when none passes (roles are sorted cheapest first)
            for (int r = 0; r < roles.size(); r++) {
                if (cells[p][r].pass()) {
                    c[p] = r;
                    break;
                }
            }
        }
        return c;
    }

    private Result score(String name, int[] choice, String note) {
        double ok = 0, cost = 0, lat = 0;
        for (int p = 0; p < choice.length; p++) {
            Cell c = cells[p][choice[p]];
            ok += c.pass() ? 1 : 0;
            cost += roleCost.get(roles.get(choice[p]));
            lat += c.latencySeconds();
        }
        int n = choice.length;
        return new Result(name, ok / n, cost, lat / n, note);
    }

    private Result randomPolicy() {
        Random rnd = new Random(SEED);
        double s = 0, c = 0, l = 0;
        for (int d = 0; d < RANDOM_DRAWS; d++) {
            int[] choice = new int[prompts.size()];
            for (int p = 0; p < choice.length; p++) {
                choice[p] = rnd.nextInt(roles.size());
            }
            Result r = score("random", choice, "");
            s += r.success();
            c += r.cost();
            l += r.latency();
        }
        return new Result("random (uniform, mean of " + RANDOM_DRAWS + " draws)", s / RANDOM_DRAWS, c / RANDOM_DRAWS,
                l / RANDOM_DRAWS, "");
    }

    /** The router at the default target, learning online from the judged outcome of each choice (shuffled order). */
    private Result routerWithLearning() {
        ComplexityRouter router = freshRouter(DEFAULT_TARGET);
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            order.add(p);
        }
        Collections.shuffle(order, new Random(SEED));
        int[] choice = new int[prompts.size()];
        int half = order.size() / 2;
        int okFirst = 0, okSecond = 0;
        double costFirst = 0, costSecond = 0;
        for (int i = 0; i < order.size(); i++) {
            int p = order.get(i);
            ComplexityRouter.Routed routed = router.route(chatBody(prompts.get(p).text(), "auto"), null);
            String role = routed.decision().role();
            int r = roles.indexOf(role);
            choice[p] = r;
            boolean pass = cells[p][r].pass();
            router.recordOutcome(routed, role, pass);
            if (i < half) {
                okFirst += pass ? 1 : 0;
                costFirst += roleCost.get(role);
            } else {
                okSecond += pass ? 1 : 0;
                costSecond += roleCost.get(role);
            }
        }
        int second = order.size() - half;
        String note = String.format(Locale.ROOT,
                "first half: %.1f%% success, %.2f cost/prompt; second half: %.1f%%, %.2f cost/prompt",
                100.0 * okFirst / half, costFirst / half, 100.0 * okSecond / second, costSecond / second);
        Result r = score("router+learning (target " + DEFAULT_TARGET + ")", choice, note);
        return r;
    }

    /**
     * What Echelon serves: the router's choice, then — when it fails the gate — the next roles of the escalation
     * chain (the category's chain if it holds the role, else the first chain that does, as EscalationPolicy#chainFor)
     * until one passes. Cost and latency are summed over every attempted role.
     */
    private Result routerWithEscalation(int[] routerChoice) {
        ComplexityRouter router = freshRouter(DEFAULT_TARGET);
        double ok = 0, cost = 0, lat = 0;
        int escalated = 0;
        for (int p = 0; p < prompts.size(); p++) {
            ComplexityRouter.Routed routed = router.route(chatBody(prompts.get(p).text(), "auto"), null);
            String role = routed.decision().role();
            String category = routed.category();
            String chainName = registry.chains().containsKey(category) ? category : "general";
            List<String> chain = registry.chains().getOrDefault(chainName, List.of());
            if (!chain.contains(role)) {
                chain = registry.chains().values().stream().filter(c -> c.contains(role)).findFirst()
                        .orElse(List.of(role));
            }
            List<String> attempts = new ArrayList<>();
            attempts.add(role);
            if (chain.indexOf(role) >= 0) {
                attempts.addAll(chain.subList(chain.indexOf(role) + 1, chain.size()));
            }
            boolean pass = false;
            for (int i = 0; i < attempts.size() && !pass; i++) {
                int r = roles.indexOf(attempts.get(i));
                Cell c = cells[p][r];
                cost += roleCost.get(attempts.get(i));
                lat += c.latencySeconds();
                pass = c.pass();
                if (i > 0) {
                    escalated++;
                }
            }
            ok += pass ? 1 : 0;
        }
        int n = prompts.size();
        return new Result("router+escalation (target " + DEFAULT_TARGET + ")", ok / n, cost, lat / n,
                escalated + " escalation steps; cost/latency summed over attempts");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // APGR

    private static List<Double> sweepTargets() {
        List<Double> ts = new ArrayList<>();
        ts.add(0.01); // the router's target must lie in (0, 1)
        for (int i = 1; i < 20; i++) {
            ts.add(i * 0.05);
        }
        ts.add(0.99);
        return ts;
    }

    /**
     * APGR: for budgets B_i = cost_weak + i/STEPS · (cost_strong − cost_weak), i = 0..STEPS, the best PGR of any
     * sweep point with cost ≤ B_i (0 — i.e. "serve everything with the weak model" — when none is that cheap);
     * APGR is the mean over the STEPS + 1 budgets. With {@code clampToOne}, each PGR is capped at 1 (a point better
     * than the strong model counts as "recovered the whole gap"). Null when success_strong ≤ success_weak (PGR undefined).
     */
    private static Double apgr(List<double[]> sweep, Result weak, Result strong, boolean clampToOne) {
        double gap = strong.success() - weak.success();
        if (gap <= 0) {
            return null;
        }
        double sum = 0;
        for (int i = 0; i <= APGR_STEPS; i++) {
            double budget = weak.cost() + (strong.cost() - weak.cost()) * i / APGR_STEPS;
            double best = 0;
            for (double[] pt : sweep) {
                if (pt[1] <= budget + 1e-9) {
                    double pgr = (pt[2] - weak.success()) / gap;
                    best = Math.max(best, clampToOne ? Math.min(1, pgr) : pgr);
                }
            }
            sum += best;
        }
        return sum / (APGR_STEPS + 1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Report

    private String report(List<Result> results, Result router, Result largest, Result weak, Result oracle,
            int[] routerChoice, int[] oracleChoice, List<double[]> sweep, Double apgr, Double apgrClamped,
            double judgeSeconds,
            double totalSeconds) {
        StringBuilder sb = new StringBuilder();
        int n = prompts.size();
        sb.append("# Routing evaluation\n\n");
        sb.append(String.format(Locale.ROOT,
                "%s — %d prompts × %d roles (%s) judged by QualityGate; max_tokens %d, temperature 0, seed 1. "
                        + "Backends: mock mode, time scale 0. Judging took %.1f s, everything %.1f s (after boot).%n%n",
                LocalDate.now(), n, roles.size(), String.join(", ", roles), MAX_TOKENS, judgeSeconds, totalSeconds));
        sb.append("Role cost weights: ");
        roleCost.forEach((r, c) -> sb.append(r).append(' ').append(fmt0(c)).append(", "));
        sb.setLength(sb.length() - 2);
        sb.append(". Cost = Σ over prompts of the chosen role's weight.\n\n");

        sb.append("| policy | success | cost (% of largest) | mean latency s | APGR | note |\n");
        sb.append("|---|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            String a = r == router ? (apgr == null ? "n/a"
                    : String.format(Locale.ROOT, "%.3f (capped %.3f)", apgr, apgrClamped)) : "";
            sb.append(String.format(Locale.ROOT, "| %s | %.1f%% | %s (%.1f%%) | %.2f | %s | %s |%n", r.policy(),
                    100 * r.success(), fmt0(r.cost()), 100 * r.cost() / largest.cost(), r.latency(), a, r.note()));
        }

        sb.append("\n## Targets (issue), at the router's default target ").append(DEFAULT_TARGET).append("\n\n");
        double succRatio = router.success() / largest.success();
        double costRatio = router.cost() / largest.cost();
        boolean t1 = succRatio >= 0.95 && costRatio <= 0.5;
        sb.append(String.format(Locale.ROOT,
                "- ≥ 95%% of always-largest success at ≤ 50%% of its cost: **%s** — router success is %.1f%% of "
                        + "always-largest (%.1f%% vs %.1f%%) at %.1f%% of its cost.%n",
                t1 ? "met" : "NOT met", 100 * succRatio, 100 * router.success(), 100 * largest.success(),
                100 * costRatio));
        if (apgr == null) {
            sb.append(String.format(Locale.ROOT,
                    "- APGR ≥ 0.8: **not defined** — always-largest success (%.1f%%) ≤ always-front-door success "
                            + "(%.1f%%), so PGR has no denominator.%n",
                    100 * largest.success(), 100 * weak.success()));
        } else {
            sb.append(String.format(Locale.ROOT,
                    "- APGR ≥ 0.8: **%s** — APGR = %.3f (%.3f with each PGR capped at 1; above 1 means the router "
                            + "beats always-largest's success).%n",
                    apgrClamped >= 0.8 ? "met" : "NOT met", apgr, apgrClamped));
        }
        List<String> meeting = new ArrayList<>();
        for (double[] pt : sweep) {
            if (pt[2] >= 0.95 * largest.success() && pt[1] <= 0.5 * largest.cost()) {
                meeting.add(String.format(Locale.ROOT, "%.2f", pt[0]));
            }
        }
        sb.append("- Sweep targets meeting the first target: ")
                .append(meeting.isEmpty() ? "none" : String.join(", ", meeting)).append(".\n");

        sb.append("\n## Router target sweep (fresh tracker, no exploration)\n\n");
        sb.append("| target | success | cost (% of largest) | PGR |\n|---:|---:|---:|---:|\n");
        double gap = largest.success() - weak.success();
        for (double[] pt : sweep) {
            sb.append(String.format(Locale.ROOT, "| %.2f | %.1f%% | %s (%.1f%%) | %s |%n", pt[0], 100 * pt[2],
                    fmt0(pt[1]), 100 * pt[1] / largest.cost(),
                    gap > 0 ? String.format(Locale.ROOT, "%.3f", (pt[2] - weak.success()) / gap) : "n/a"));
        }

        sb.append("\n## Per category (labelled category)\n\n");
        sb.append("| category | n | router success | oracle success | router cost/prompt | oracle cost/prompt |");
        for (String r : roles) {
            sb.append(' ').append(r).append(" success |");
        }
        sb.append("\n|---|---:|---:|---:|---:|---:|");
        roles.forEach(r -> sb.append("---:|"));
        sb.append('\n');
        Map<String, List<Integer>> byCategory = new TreeMap<>();
        for (int p = 0; p < n; p++) {
            byCategory.computeIfAbsent(prompts.get(p).category(), k -> new ArrayList<>()).add(p);
        }
        byCategory.forEach((cat, ps) -> {
            double rs = 0, os = 0, rc = 0, oc = 0;
            double[] perRole = new double[roles.size()];
            for (int p : ps) {
                rs += cells[p][routerChoice[p]].pass() ? 1 : 0;
                os += cells[p][oracleChoice[p]].pass() ? 1 : 0;
                rc += roleCost.get(roles.get(routerChoice[p]));
                oc += roleCost.get(roles.get(oracleChoice[p]));
                for (int r = 0; r < roles.size(); r++) {
                    perRole[r] += cells[p][r].pass() ? 1 : 0;
                }
            }
            int k = ps.size();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f%% | %.1f%% | %.2f | %.2f |", cat, k, 100 * rs / k,
                    100 * os / k, rc / k, oc / k));
            for (double v : perRole) {
                sb.append(String.format(Locale.ROOT, " %.1f%% |", 100 * v / k));
            }
            sb.append('\n');
        });

        sb.append("\n## Router choices by labelled category (target ").append(DEFAULT_TARGET).append(")\n\n");
        sb.append("| category |");
        roles.forEach(r -> sb.append(' ').append(r).append(" |"));
        sb.append("\n|---|");
        roles.forEach(r -> sb.append("---:|"));
        sb.append('\n');
        byCategory.forEach((cat, ps) -> {
            int[] count = new int[roles.size()];
            ps.forEach(p -> count[routerChoice[p]]++);
            sb.append("| ").append(cat).append(" |");
            for (int c : count) {
                sb.append(' ').append(c).append(" |");
            }
            sb.append('\n');
        });

        sb.append("\n## Gate failures by role (first failure)\n\n");
        for (int r = 0; r < roles.size(); r++) {
            Map<String, Integer> reasons = new TreeMap<>();
            for (int p = 0; p < n; p++) {
                Cell c = cells[p][r];
                if (!c.pass()) {
                    String key = c.reason().startsWith("request failed")
                            ? "request failed (…" + tail(c.reason().replaceAll("\\s+", " "), 90) + ") ["
                                    + prompts.get(p).category() + "]"
                            : c.reason().split("[;:(]")[0].trim();
                    reasons.merge(key.isEmpty() ? "?" : key, 1, Integer::sum);
                }
            }
            sb.append("- ").append(roles.get(r)).append(": ").append(reasons.isEmpty() ? "none" : reasons)
                    .append('\n');
        }
        return sb.toString();
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : s.substring(s.length() - max);
    }

    private static String fmt0(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
