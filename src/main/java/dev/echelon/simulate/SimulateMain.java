package dev.echelon.simulate;

import dev.echelon.cost.CostModel;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RegistryLoader;
import dev.echelon.registry.RegistryMode;
import dev.echelon.residency.Budgets;
import dev.echelon.residency.DraftAcceptance;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.control.OverflowConfig;
import dev.echelon.residency.control.PlannerConfig;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code echelon simulate}: replays generated traces through every residency policy and writes the comparison.
 * A plain main (no CDI): the registry, the cost model and the policies are built directly.
 *
 * <pre>
 *   --families all|workday,bursts,…   trace families (default: all)
 *   --policies all|static,count-lru,… policies (default: all; regret needs the optimum)
 *   --seed N                          trace seed (default 42)
 *   --seeds N,M,…                     many seeds instead: only the target per seed and family and its counts
 *                                     ({@link SeedTable}: seeds.csv, seeds.md; default out bench/residency/seeds)
 *   --duration S                      seconds per trace (default 3600)
 *   --out DIR                         output directory (default bench/residency)
 *   --registry FILE                   model registry (default model_registry.yaml)
 *   --window S                        the optimum's window (default 10)
 *   --threads N                       families replayed in parallel (default: cores)
 *   --no-plots                        skip the PNG/SVG plots
 *   --requests                        also write requests.csv and transitions.csv: every request and every
 *                                     residency change of every policy ({@link RequestLog})
 *   --overflow on|off|KEY=V,…         the planner's overflow rule, with the keys a deployment sets
 *                                     (ORCHESTRATOR_RESIDENCY_OVERFLOW_*): max-share=0.04,slo-factor=3; unset keys
 *                                     keep their defaults (default: on, the defaults; {@link OverflowConfig#parse})
 *   --planner defaults|KEY=V,…        the planner's dwell, transition cap and horizon, with the keys a deployment
 *                                     sets (ORCHESTRATOR_RESIDENCY_MIN_DWELL_MS, _MAX_TRANSITIONS,
 *                                     _TRANSITION_WINDOW_MS, _HORIZON_S): max-transitions=12,min-dwell-ms=10000;
 *                                     unset keys keep their defaults ({@link PlannerConfig#parse})
 *   --draft-acceptance A|ROLE=A,…     the world's speculation: the per-token acceptance of each role's draft (one
 *                                     figure for every role with a draft pair, or per role), credited to those
 *                                     roles' decoding for every policy and the optimum alike; read it from what
 *                                     the service measured ({@code GET /admin/speculation}). Default: none, every
 *                                     role decodes without its draft
 * </pre>
 */
public final class SimulateMain {

    private SimulateMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Map<String, String> opt;
        try {
            opt = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("simulate: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (opt.containsKey("help")) {
            System.out.println(usage());
            return;
        }
        try {
            run(opt, args);
        } catch (IllegalArgumentException e) {
            // an unknown family or policy: a message, not a stack trace
            System.err.println("simulate: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void run(Map<String, String> opt, String[] args) throws Exception {
        long t0 = System.nanoTime();
        Path registryFile = Path.of(opt.getOrDefault("registry", "model_registry.yaml"));
        ModelRegistry registry = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(registryFile);
        ResidencyModel model = ResidencyModel.of(registry, new Budgets(registry.residency().gpuBytes(),
                registry.residency().hostRamBytes()), new CostModel());
        model = model.withAcceptance(acceptance(opt.get("draft-acceptance"), model));
        OfflineOptimum.Settings optimum = new OfflineOptimum.Settings(
                Double.parseDouble(opt.getOrDefault("window", "10")), OfflineOptimum.Settings.DEFAULT.partialSteps(),
                RequestCost.DEFAULT);
        PlannerConfig.Values planning = planning(opt);
        Optional<Overflow.Settings> overflow = overflow(opt);
        PolicyCatalog catalog = PolicyCatalog.standard(optimum, planning, overflow);
        List<TraceFamily> families = "all".equals(opt.getOrDefault("families", "all"))
                ? Arrays.asList(TraceFamily.values())
                : Arrays.stream(opt.get("families").split(",")).map(TraceFamily::parse).toList();
        List<String> policies = "all".equals(opt.getOrDefault("policies", "all")) ? catalog.names()
                : Arrays.stream(opt.get("policies").split(",")).map(String::trim).peek(n -> {
                    if (!catalog.has(n)) {
                        throw new IllegalArgumentException("unknown policy '" + n + "' (known: " + catalog.names()
                                + ")");
                    }
                }).toList();
        double duration = Double.parseDouble(opt.getOrDefault("duration", "3600"));
        int threads = Math.max(1, Math.min(families.size(), Integer.parseInt(opt.getOrDefault("threads",
                String.valueOf(Runtime.getRuntime().availableProcessors())))));
        Simulator.Settings simSettings = Simulator.Settings.DEFAULT;
        SimulationSuite suite = new SimulationSuite(model, simSettings, catalog, optimum);
        String command = ("./echelon simulate " + String.join(" ", args)).trim();
        if (opt.containsKey("seeds")) {
            List<Long> seeds = Arrays.stream(opt.get("seeds").split(",")).map(Long::parseLong).toList();
            Path out = Path.of(opt.getOrDefault("out", "bench/residency/seeds"));
            SeedTable table = new SeedTable();
            for (long seed : seeds) {
                table.add(seed, runFamilies(suite, families, seed, duration, policies, threads, null, out));
                System.err.printf(Locale.ROOT, "simulate: seed %d done%n", seed);
            }
            table.write(out, command);
            System.out.print(table.markdown(command));
            System.err.printf(Locale.ROOT, "simulate: wrote %s (seeds.csv, seeds.md) in %.1f s%n", out,
                    (System.nanoTime() - t0) / 1e9);
            return;
        }
        long seed = Long.parseLong(opt.getOrDefault("seed", "42"));
        Path out = Path.of(opt.getOrDefault("out", "bench/residency"));
        Charts charts = opt.containsKey("no-plots") ? null : new Charts(model);
        List<SimulationSuite.FamilyResult> results = runFamilies(suite, families, seed, duration, policies, threads,
                charts, out);
        double wall = (System.nanoTime() - t0) / 1e9;
        ResultsWriter.RunInfo info = new ResultsWriter.RunInfo(command, seed, duration, simSettings, optimum,
                planning, overflow, assumed(model), wall);
        new ResultsWriter().write(out, info, results);
        boolean requests = opt.containsKey("requests");
        if (requests) {
            new RequestLog(optimum.cost()).write(out, results);
        }
        System.out.print(new ResultsWriter().markdown(info, results));
        System.err.printf(Locale.ROOT, "simulate: wrote %s (results.csv, results.json, results.md%s%s) in %.1f s%n",
                out, requests ? ", requests.csv, transitions.csv" : "", charts == null ? "" : ", plots/", wall);
    }

    /** One seed's families, {@code threads} at a time, in the order asked for; plots written when charts is given. */
    private static List<SimulationSuite.FamilyResult> runFamilies(SimulationSuite suite, List<TraceFamily> families,
            long seed, double duration, List<String> policies, int threads, Charts charts, Path out)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<SimulationSuite.FamilyResult>> futures = new ArrayList<>();
        for (TraceFamily f : families) {
            futures.add(pool.submit(() -> {
                SimulationSuite.FamilyResult r = suite.run(f, seed, duration, policies);
                if (charts != null) {
                    charts.write(r, out.resolve("plots"));
                }
                System.err.printf(Locale.ROOT, "simulate: %s done (%d requests)%n", f.id(),
                        r.trace().requests().size());
                return r;
            }));
        }
        List<SimulationSuite.FamilyResult> results = new ArrayList<>();
        try {
            for (Future<SimulationSuite.FamilyResult> fut : futures) {
                results.add(fut.get());
            }
        } finally {
            pool.shutdown();
        }
        return results;
    }

    /** Options that take no value. */
    private static final Set<String> FLAGS = Set.of("no-plots", "requests", "help");

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + usage());
            }
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq >= 0) {
                m.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (FLAGS.contains(key)) {
                m.put(key, "true");
            } else if (i + 1 < args.length) {
                m.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value\n" + usage());
            }
        }
        List<String> withValue = List.of("families", "policies", "seed", "seeds", "duration", "out", "registry",
                "window", "threads", "planner", "overflow", "draft-acceptance");
        for (String k : m.keySet()) {
            if (!withValue.contains(k) && !FLAGS.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + "\n" + usage());
            }
        }
        for (String k : List.of("seed", "duration", "window", "threads")) {
            String whole = k.equals("seed") || k.equals("threads") ? "\\d+" : "\\d+(\\.\\d+)?";
            if (m.containsKey(k) && !m.get(k).matches(whole)) {
                throw new IllegalArgumentException("--" + k + " takes a number: '" + m.get(k) + "'\n" + usage());
            }
        }
        if (m.containsKey("seeds") && (m.containsKey("seed") || m.containsKey("requests"))) {
            throw new IllegalArgumentException("--seeds runs many seeds: it takes neither --seed nor --requests\n"
                    + usage());
        }
        if (m.containsKey("seeds") && !m.get("seeds").matches("\\d+(,\\d+)*")) {
            throw new IllegalArgumentException("--seeds takes seeds separated by commas, e.g. 42,7,11: '"
                    + m.get("seeds") + "'\n" + usage());
        }
        planning(m); // refused before any trace is replayed
        overflow(m);
        String alpha = "(0?\\.\\d+|0)";
        String perRole = "[\\w-]+=" + alpha;
        if (m.containsKey("draft-acceptance")
                && !m.get("draft-acceptance").matches(alpha + "|" + perRole + "(," + perRole + ")*")) {
            throw new IllegalArgumentException("--draft-acceptance takes an acceptance in [0, 1) for every role with a"
                    + " draft, or ROLE=A pairs separated by commas, e.g. 0.8 or coder=0.8: '"
                    + m.get("draft-acceptance") + "'\n" + usage());
        }
        return m;
    }

    /**
     * The world's draft acceptance as {@code --draft-acceptance} gives it: one figure for every role with a draft, or
     * one per named role; a role that is not managed or has no draft is refused by name.
     */
    static DraftAcceptance acceptance(String value, ResidencyModel model) {
        if (value == null) {
            return DraftAcceptance.NONE;
        }
        Map<String, Double> byRole = new LinkedHashMap<>();
        if (!value.contains("=")) {
            model.roles().values().stream().filter(r -> r.draft().isPresent())
                    .forEach(r -> byRole.put(r.name(), Double.parseDouble(value)));
            return DraftAcceptance.fixed(byRole);
        }
        for (String pair : value.split(",")) {
            String[] kv = pair.split("=", 2);
            if (!model.manages(kv[0]) || model.role(kv[0]).draft().isEmpty()) {
                throw new IllegalArgumentException("--draft-acceptance: role '" + kv[0] + "' has no draft pair"
                        + " (roles with one: " + model.roles().values().stream().filter(r -> r.draft().isPresent())
                        .map(r -> r.name()).toList() + ")");
            }
            byRole.put(kv[0], Double.parseDouble(kv[1]));
        }
        return DraftAcceptance.fixed(byRole);
    }

    /** The α the run assumes for each role with a draft, as {@link #acceptance} set it. */
    static Map<String, Double> assumed(ResidencyModel model) {
        Map<String, Double> out = new LinkedHashMap<>();
        model.roles().values().stream().filter(r -> r.draft().isPresent())
                .forEach(r -> model.acceptance().alpha(r.name()).ifPresent(a -> out.put(r.name(), a)));
        return out;
    }

    /** The planner's dwell, transition cap and horizon as {@code --planner} sets them; a bad value by its key. */
    static PlannerConfig.Values planning(Map<String, String> opt) {
        try {
            return PlannerConfig.parse(opt.getOrDefault("planner", "defaults"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--planner: " + e.getMessage(), e);
        }
    }

    /** The planner's overflow rule as {@code --overflow} sets it; a bad value is refused by its key. */
    static Optional<Overflow.Settings> overflow(Map<String, String> opt) {
        try {
            return OverflowConfig.parse(opt.getOrDefault("overflow", "on"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--overflow: " + e.getMessage(), e);
        }
    }

    static String usage() {
        return """
                usage: ./echelon simulate [--families all|workday,bursts,alternating,scan,long-idle,drift,steady]
                                          [--policies all|static,count-lru,ttl-lru,swap-one,rb,planner,optimum]
                                          [--seed 42 | --seeds 42,7,11] [--duration 3600]
                                          [--out bench/residency, or bench/residency/seeds with --seeds]
                                          [--registry model_registry.yaml] [--window 10] [--threads N] [--no-plots]
                                          [--requests] [--overflow on|off|max-share=0.04,slo-factor=3,…]
                                          [--planner defaults|max-transitions=12,min-dwell-ms=10000,…]
                                          [--draft-acceptance 0.8|coder=0.8,…]""";
    }
}
