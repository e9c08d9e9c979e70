package dev.echelon.bench;

import dev.echelon.backend.BackendTimeouts;
import dev.echelon.backend.CompletionRequest;
import dev.echelon.backend.CompletionResponse;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.fake.FakeOptions;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.speculation.AcceptanceMath;
import dev.echelon.speculation.DraftCostPrior;
import dev.echelon.speculation.DraftSample;
import dev.echelon.speculation.DraftTuner;
import dev.echelon.speculation.HonourProbe;
import dev.echelon.speculation.ServerBehaviour;
import dev.echelon.speculation.SpeculationService;
import dev.echelon.speculation.SpeculationTelemetry;
import dev.echelon.supervisor.DraftSettings;
import dev.echelon.supervisor.FakeSupervisors;
import dev.echelon.supervisor.PortAllocator;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.Supervisor;
import io.vertx.core.Vertx;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Draft-model speculation in mock mode: measured generation speed of Echelon's adaptive draft lengths beside a fixed
 * length of 16, no speculation, and the analytic optimum k* (run as a fixed length), for α ∈ {0.3, 0.5, 0.7, 0.9} ×
 * c ∈ {0.02, 0.1}, on servers that honour per-request lengths and on servers that ignore them (llama-server v0.5.0),
 * plus a traffic mix whose task categories shift. Every configuration runs on its own fake llama-server, started
 * through the real Supervisor and FakeLauncher, side by side in one run; tokens per second come from the servers'
 * own {@code timings}. See bench/speculation/README.md.
 *
 * <pre>
 *   bench/speculation/run.sh [--requests 24] [--tokens 160] [--time-scale 0.04] [--out bench/speculation]
 * </pre>
 */
public final class SpeculationBench {

    static final double TARGET_DECODE_TPS = 20;
    static final int K_MAX = 16;

    record Settings(int requests, int tokens, double timeScale, Path out, String prior) {
    }

    /** One configuration's measurement. */
    record Measured(String config, double tokensPerSecond, long drafted, long accepted, int relaunches,
            String lengths) {
    }

    /** One row: a cell of the grid or a mix scenario. */
    record Row(String scenario, String behaviour, double alpha, double c, int kStar, double analyticSpeedup,
            Map<String, Measured> configs) {

        double speedup(String config) {
            return configs.get(config).tokensPerSecond() / configs.get("none").tokensPerSecond();
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Settings s = new Settings(Integer.parseInt(opt.getOrDefault("requests", "24")),
                Integer.parseInt(opt.getOrDefault("tokens", "160")),
                Double.parseDouble(opt.getOrDefault("time-scale", "0.04")),
                Path.of(opt.getOrDefault("out", "bench/speculation")), opt.getOrDefault("prior", "cost-model"));
        Files.createDirectories(s.out());
        long t0 = System.nanoTime();
        Vertx vertx = Vertx.vertx();
        OkHttpClient http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
        PortAllocator ports = new PortAllocator(21000);
        List<Row> rows = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Row>> futures = new ArrayList<>();
            for (boolean honoured : new boolean[] {true, false}) {
                for (double c : new double[] {0.02, 0.1}) {
                    for (double alpha : new double[] {0.3, 0.5, 0.7, 0.9}) {
                        futures.add(pool.submit(() -> new Cell(vertx, http, ports, s, honoured, alpha, c).run()));
                    }
                    futures.add(pool.submit(() -> new Cell(vertx, http, ports, s, honoured, Double.NaN, c).run()));
                }
            }
            for (Future<Row> f : futures) {
                rows.add(f.get());
            }
        } finally {
            pool.shutdownNow();
            vertx.close();
            http.dispatcher().executorService().shutdown();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        String md = report(rows, s, wall);
        Files.writeString(s.out().resolve("results.md"), md);
        System.out.println(md);
        System.exit(0);
    }

    /** One cell (a fixed α, or NaN for the shifting mix) × one server behaviour: four servers side by side. */
    static final class Cell {
        final Vertx vertx;
        final OkHttpClient http;
        final PortAllocator ports;
        final Settings s;
        final boolean honoured;
        final double alpha;
        final double c;
        final boolean mix;

        Cell(Vertx vertx, OkHttpClient http, PortAllocator ports, Settings s, boolean honoured, double alpha,
                double c) {
            this.vertx = vertx;
            this.http = http;
            this.ports = ports;
            this.s = s;
            this.honoured = honoured;
            this.alpha = alpha;
            this.c = c;
            this.mix = Double.isNaN(alpha);
        }

        Row run() throws Exception {
            int kStar = mix ? -1 : AcceptanceMath.bestLength(alpha, c, K_MAX);
            Path dir = Files.createTempDirectory("echelon-spec-bench");
            FakeSupervisors.Fleet fleet = FakeSupervisors.create(vertx, http, ports, dir, registryYaml(kStar),
                    new FakeOptions(s.timeScale(), false, 7L));
            ModelRegistry registry = fleet.registry();
            Supervisor sup = fleet.supervisor();
            DraftSettings drafts = sup.drafts();
            try {
                sup.startAll();
                for (ServerProcess p : sup.servers()) {
                    p.awaitReady(Duration.ofSeconds(60)).get();
                }
                Map<String, LlamaServerClient> clients = new LinkedHashMap<>();
                for (ServerProcess p : sup.servers()) {
                    clients.put(p.role(), new LlamaServerClient(HttpUrl.get(p.baseUrl()), p.instanceId(), http,
                            BackendTimeouts.DEFAULTS));
                }
                // the optimum of a shifting mix needs each category's α: measured here on a length-16 server, the
                // way an operator would measure it — never read from the fake
                Map<String, Double> mixAlpha = mix ? calibrate(clients.get("fixed")) : Map.of();
                double prior = "cost-model".equals(s.prior())
                        ? DraftCostPrior.costModelRatio(registry, "adaptive", new dev.echelon.cost.CostModel())
                        : DraftCostPrior.bytesRatio(registry, "adaptive");
                AtomicReference<CompletableFuture<Void>> relaunching = new AtomicReference<>(
                        CompletableFuture.completedFuture(null));
                SpeculationService svc = new SpeculationService(drafts, new DraftTuner(DraftTuner.Settings.DEFAULTS,
                        r -> prior, r -> registry.draftFor(r).map(p -> p.nMax()).orElse(8)),
                        SpeculationTelemetry.standalone(), role -> {
                            ServerProcess p = sup.serversOf(role).get(0);
                            CompletableFuture<Void> f = sup.reapplySpeculation(p.instanceId(), dev.echelon.supervisor.InFlightDrain.NONE)
                                    .thenCompose(v -> p.awaitReady(Duration.ofSeconds(60)));
                            relaunching.set(f);
                            return f;
                        }, System::currentTimeMillis);
                ServerBehaviour probed = HonourProbe.probe(clients.get("adaptive"));
                svc.behaviour("adaptive", probed);
                List<String> prompts = prompts();
                Map<String, CompletableFuture<Measured>> runs = new LinkedHashMap<>();
                for (String config : List.of("none", "fixed", "optimum", "adaptive")) {
                    LlamaServerClient client = clients.get(config);
                    runs.put(config, CompletableFuture.supplyAsync(() -> switch (config) {
                        case "adaptive" -> adaptive(client, svc, relaunching, prompts);
                        case "optimum" -> mix ? perRequestOptimum(client, prompts, mixAlpha)
                                : fixed(config, client, prompts, kStar);
                        case "fixed" -> fixed(config, client, prompts, K_MAX);
                        default -> fixed(config, client, prompts, 0);
                    }));
                }
                Map<String, Measured> out = new LinkedHashMap<>();
                for (Map.Entry<String, CompletableFuture<Measured>> e : runs.entrySet()) {
                    out.put(e.getKey(), e.getValue().get());
                }
                double analytic = mix ? Double.NaN : AcceptanceMath.speedup(alpha, kStar, c);
                String behaviour = (honoured ? "honoured" : "ignored (v0.5.0)") + ", probed " + probed.name()
                        .toLowerCase(Locale.ROOT);
                return new Row(mix ? "shifting mix" : "fixed α", behaviour, alpha, c, kStar, analytic, out);
            } finally {
                sup.stopAll(Duration.ofSeconds(5));
                sup.close();
            }
        }

        /** Prompts: the same sequence for every configuration of a cell; for the mix, three phases of categories. */
        List<String> prompts() {
            Random r = new Random(42);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < s.requests(); i++) {
                if (!mix) {
                    out.add("Write a Python function that merges two sorted lists, number " + i + ".");
                    continue;
                }
                int phase = i * 3 / s.requests();
                double u = r.nextDouble();
                String kind = u < 0.7 ? List.of("code", "prose", "math").get(phase)
                        : List.of("code", "prose", "math").get((phase + 1 + (u < 0.85 ? 0 : 1)) % 3);
                out.add(kind + "|" + prompt(kind, i));
            }
            return out;
        }

        static String prompt(String kind, int i) {
            return switch (kind) {
                case "code" -> "Write a Java method that parses an ISO date and returns the weekday, variant " + i;
                case "math" -> "Solve for x: " + (3 + i % 5) + "x + " + (7 + i) + " = " + (40 + 2 * i)
                        + ". Show each step of the algebra.";
                default -> "Write a short story about a lighthouse keeper who finds a letter in a bottle, part " + i;
            };
        }

        static String category(String prompt) {
            int bar = prompt.indexOf('|');
            return bar < 0 ? "code" : prompt.substring(0, bar);
        }

        static String text(String prompt) {
            int bar = prompt.indexOf('|');
            return bar < 0 ? prompt : prompt.substring(bar + 1);
        }

        CompletionRequest request(String prompt, int i) {
            return CompletionRequest.builder().prompt(text(prompt)).nPredict(s.tokens()).temperature(0.7)
                    .seed(1000L + i).cachePrompt(false).extra("ignore_eos", true).build();
        }

        /** A fixed length set by the server's flags (0: a server without a draft). */
        Measured fixed(String config, LlamaServerClient client, List<String> prompts, int k) {
            Totals t = new Totals();
            for (int i = 0; i < prompts.size(); i++) {
                t.add(client.completion(request(prompts.get(i), i)));
            }
            return t.result(config, 0, k == 0 ? "-" : Integer.toString(k));
        }

        /** The mix's optimum: each request drafts k*(α of its category) — on a server that honours the field. */
        Measured perRequestOptimum(LlamaServerClient client, List<String> prompts, Map<String, Double> alphas) {
            Totals t = new Totals();
            Map<String, Integer> lengths = new LinkedHashMap<>();
            for (int i = 0; i < prompts.size(); i++) {
                String cat = category(prompts.get(i));
                int k = AcceptanceMath.bestLength(alphas.get(cat), c, K_MAX);
                lengths.put(cat, k);
                t.add(client.completion(request(prompts.get(i), i).withExtra("speculative.n_max", k)
                        .withExtra("speculative.n_min", 0)));
            }
            return t.result("optimum", 0, lengths.toString());
        }

        Measured adaptive(LlamaServerClient client, SpeculationService svc,
                AtomicReference<CompletableFuture<Void>> relaunching, List<String> prompts) {
            Totals t = new Totals();
            int relaunches = 0;
            Map<String, java.util.Set<Integer>> lengths = new LinkedHashMap<>();
            for (int i = 0; i < prompts.size(); i++) {
                String cat = category(prompts.get(i));
                SpeculationService.Plan plan = svc.begin("adaptive", cat);
                CompletionRequest req = request(prompts.get(i), i);
                if (plan.perRequest()) {
                    req = req.withExtra("speculative.n_max", plan.nMax()).withExtra("speculative.n_min", 0);
                }
                lengths.computeIfAbsent(cat, x -> new java.util.TreeSet<>()).add(plan.nMax());
                CompletableFuture<Void> before = relaunching.get();
                CompletionResponse r = client.completion(req);
                t.add(r);
                svc.finish(plan, new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(r.timings()));
                if (relaunching.get() != before) {
                    relaunches++;
                    relaunching.get().join(); // the next request waits for the relaunched server, as traffic would
                }
            }
            return t.result("adaptive", relaunches, lengths.toString());
        }

        /** α per category, measured with length-16 drafting: the method-of-moments estimate over the passes. */
        Map<String, Double> calibrate(LlamaServerClient client) {
            Map<String, Double> out = new LinkedHashMap<>();
            for (String kind : List.of("code", "prose", "math")) {
                double passes = 0;
                double accepted = 0;
                for (int i = 0; i < 4; i++) {
                    CompletionResponse r = client.completion(request(kind + "|" + prompt(kind, 500 + i), 500 + i));
                    DraftSample ds = DraftSample.from(r.timings(), K_MAX, 1).orElseThrow();
                    passes += ds.passes();
                    accepted += ds.accepted();
                }
                out.put(kind, AcceptanceMath.alphaFrom(new int[] {K_MAX}, new double[] {passes},
                        new double[] {accepted}));
            }
            return out;
        }

        String registryYaml(int kStar) {
            double draftTps = TARGET_DECODE_TPS / c;
            String fake = "[\"--fake-acceptance\", \"" + (mix ? "" : alpha) + "\""
                    + (honoured ? ", \"--fake-honour-spec-request\"" : "") + "]";
            if (mix) {
                fake = honoured ? "[\"--fake-honour-spec-request\"]" : "[]";
            }
            String honourAlways = mix ? "[\"--fake-honour-spec-request\"]" : fake;
            StringBuilder y = new StringBuilder();
            y.append("""
                    version: 1
                    residency: {gpu_bytes: 80GiB, host_ram_bytes: 128GiB}
                    tiers:
                      A: {name: front door, description: "bench"}
                      B: {name: experts, description: "bench"}
                      C: {name: workers, description: "bench"}
                      D: {name: drafts, description: "bench"}
                    launch_templates:
                      gpu: {gpu_layers: all, ctx_size: 4096, parallel: 1, load_mode: mmap, flash_attn: auto}
                    roles:
                    """);
            for (String role : List.of("none", "fixed", "optimum", "adaptive")) {
                String extra = role.equals("optimum") ? honourAlways : fake;
                y.append("  ").append(role).append(":\n")
                        .append("    tier: ").append(role.equals("none") ? "A" : "B").append("\n")
                        .append("    description: bench target\n")
                        .append(targetModel())
                        .append("    instances:\n")
                        .append("      - {id: ").append(role).append("-0, template: gpu, extra_args: ").append(extra)
                        .append("}\n");
            }
            y.append("""
                      draft:
                        tier: D
                        kind: draft
                        description: bench draft
                        model:
                          name: bench-draft
                          family: qwen2.5
                          variants:
                            - {name: q8_0, path: draft.gguf, quant: Q8_0, bytes: 500000000, layers: 24, kv_bytes_per_token: 12288, context_length: 32768}
                    """);
            y.append("      mock: {capability: 0.2, prefill_tps_gpu: 16000, decode_tps_gpu: ").append(draftTps)
                    .append(", prefill_tps_cpu: 400, decode_tps_cpu: 60, nvme_to_ram_bytes_per_s: 7GB, "
                            + "ram_to_gpu_bytes_per_s: 25GB, process_start_ms: 200}\n");
            y.append("speculation:\n  pairs:\n");
            y.append("    - {target: fixed, draft: draft, n_max: ").append(K_MAX).append(", n_min: 0, p_min: 0.0}\n");
            if (kStar != 0) {
                y.append("    - {target: optimum, draft: draft, n_max: ").append(mix ? K_MAX : kStar)
                        .append(", n_min: 0, p_min: 0.0}\n");
            }
            y.append("    - {target: adaptive, draft: draft, n_max: 8, n_min: 0, p_min: 0.0}\n");
            y.append("escalation:\n  chains:\n    general: [none, fixed]\n");
            return y.toString();
        }

        static String targetModel() {
            return """
                        model:
                          name: bench-target
                          family: qwen2.5
                          variants:
                            - {name: q4_k_m, path: target.gguf, quant: Q4_K_M, bytes: 8000000000, layers: 48, kv_bytes_per_token: 131072, context_length: 32768}
                          mock: {capability: 0.9, prefill_tps_gpu: 4000, decode_tps_gpu: 20, prefill_tps_cpu: 50, decode_tps_cpu: 3,
                                 nvme_to_ram_bytes_per_s: 7GB, ram_to_gpu_bytes_per_s: 25GB, process_start_ms: 300}
                    """;
        }
    }

    /** Generated tokens after the first, and the time they took, summed over a configuration's requests. */
    static final class Totals {
        double tokens;
        double ms;
        long drafted;
        long accepted;

        void add(CompletionResponse r) {
            tokens += r.timings().predictedN() - 1;
            ms += r.timings().predictedMs();
            drafted += r.timings().draftN() == null ? 0 : r.timings().draftN();
            accepted += r.timings().draftNAccepted() == null ? 0 : r.timings().draftNAccepted();
        }

        Measured result(String config, int relaunches, String lengths) {
            return new Measured(config, tokens * 1000 / ms, drafted, accepted, relaunches, lengths);
        }
    }

    static String report(List<Row> rows, Settings s, double wall) {
        StringBuilder md = new StringBuilder();
        md.append("# Speculation benchmark\n\n");
        md.append(String.format(Locale.ROOT, "`bench/speculation/run.sh --requests %d --tokens %d --time-scale %s "
                + "--prior %s` — wall time %.0f s. Target decodes %.0f tok/s (simulated); c = draft token time ÷ "
                + "target pass time.%n%n", s.requests(), s.tokens(), s.timeScale(), s.prior(), wall,
                TARGET_DECODE_TPS));
        md.append("| scenario | server | α | c | k* | analytic speedup | none tok/s | fixed 16 | optimum | adaptive "
                + "| adaptive ÷ optimum | adaptive ÷ analytic | adaptive ÷ none | adaptive lengths | relaunches | met |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            double none = r.configs().get("none").tokensPerSecond() * s.timeScale();
            double ad = r.speedup("adaptive");
            double op = r.speedup("optimum");
            boolean met = ad >= 0.9 * op && ad >= 0.95;
            md.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %.2f | %s | %s | %.1f | %.2f× | %.2f× | %.2f× | %.0f %% | %s | %.2f× | %s | %d | %s |%n",
                    r.scenario(), r.behaviour(), Double.isNaN(r.alpha()) ? "mix" : String.format(Locale.ROOT, "%.1f",
                            r.alpha()), r.c(), r.kStar() < 0 ? "per category" : Integer.toString(r.kStar()),
                    Double.isNaN(r.analyticSpeedup()) ? "-" : String.format(Locale.ROOT, "%.2f×",
                            r.analyticSpeedup()), none, r.speedup("fixed"), op, ad, 100 * ad / op,
                    Double.isNaN(r.analyticSpeedup()) ? "-" : String.format(Locale.ROOT, "%.0f %%",
                            100 * ad / r.analyticSpeedup()), ad,
                    r.configs().get("adaptive").lengths(), r.configs().get("adaptive").relaunches(),
                    met ? "yes" : "**no**"));
        }
        md.append("""

                *optimum* runs the analytic k* = argmax (1 − α^(k+1)) / ((1 − α)(k·c + 1)) as a fixed length (for the
                shifting mix: each request at k* of its category's α, measured beforehand on a length-16 server, on a
                server that honours per-request lengths — the ideal, for both behaviours). *met*: adaptive ≥ 90 %% of
                the optimum's measured speedup and ≥ 0.95× no speculation. *adaptive ÷ analytic* compares with the
                formula, which leaves out the target's verification overhead (5 %% per pass in the fake, as in
                llama.cpp) and the shorter drafts at the end of a generation, so even the optimum stays below it.
                """.formatted());
        return md.toString();
    }

    private SpeculationBench() {
    }

}
