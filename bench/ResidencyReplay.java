import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays a simulated residency trace through a running Echelon, and compares what the live service did with what
 * the simulator said the same policy would do (bench/run-residency-live.sh runs both; JDK only, single file).
 *
 * <pre>
 *   replay --requests SIM/requests.csv --family F --url ECHELON --tokenize-url BACKEND --scale S --out LIVE.csv
 *   report --sim SIM --live DIR --family F --scale S --policies planner,ttl-lru,…   (Markdown on stdout)
 * </pre>
 *
 * <p>The trace is the simulator's own ({@code ./echelon simulate --requests} writes every request of every policy;
 * all policies replay the same arrivals, roles and sizes). Each request is sent at {@code start + arrival × scale}
 * whatever happened to the others (open loop), to its role by name ({@code "model": role}), streaming, with a
 * prompt of the trace's length in the backends' tokens (calibrated once against a fake llama-server's
 * {@code /tokenize}) and {@code max_tokens} = its output length with {@code ignore_eos}, so the live answer is as
 * long as the simulated one. The fake servers run {@code 1/scale} times as fast as real time (Echelon's
 * {@code ORCHESTRATOR_MOCK_TIME_SCALE}), and so does the residency controller's clock; every time measured here is
 * divided by the scale, i.e. given in the simulator's seconds.
 *
 * <p>Per request: TTFT from the intended send time to the first token of content, the time to the last token,
 * which role answered (a different one than asked: its fallback served it), the status (a non-200 is a failure, and
 * counts as an infinite TTFT in the percentiles). The cost is the simulator's ({@code RequestCost.DEFAULT}): TTFT +
 * ¼ · (last − first token) + 30 s when a fallback answered.
 */
public final class ResidencyReplay {

    /** {@code RequestCost.DEFAULT}: the decode weight and the quality penalty of an answer by a fallback. */
    static final double DECODE_WEIGHT = 0.25;
    static final double FALLBACK_PENALTY_S = 30;

    static final String LIVE_HEADER = "request,role,arrival_s,prompt_tokens,output_tokens,status,served_by,"
            + "route_reason,ttft_s,last_token_s,cost_s,live_prompt_tokens,live_output_tokens,queue_ms,load_wait_ms,"
            + "escalations,error";

    record TraceRequest(int id, String role, double arrival, int promptTokens, int outputTokens) {
    }

    record LiveRow(int id, String role, int status, String servedBy, double ttft, double cost) {
        boolean ok() {
            return status == 200;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        Map<String, String> opt = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "replay" -> replay(opt);
            case "report" -> report(opt, System.out);
            default -> usage();
        }
    }

    static void usage() {
        System.err.println("usage: ResidencyReplay replay --requests CSV --family F --url URL --tokenize-url URL "
                + "--scale S --out CSV\n       ResidencyReplay report --sim DIR --live DIR --family F --scale S "
                + "--policies P,…");
        System.exit(2);
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage();
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    static String need(Map<String, String> opt, String key) {
        String v = opt.get(key);
        if (v == null) {
            System.err.println("missing --" + key);
            usage();
        }
        return v;
    }

    // ------------------------------------------------------------------ the simulator's files

    static List<Map<String, String>> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] head = lines.get(0).split(",", -1);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < head.length; i++) {
                row.put(head[i], i < cells.length ? cells[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    /** The trace: one policy's rows of the family (every policy replays the same requests). */
    static List<TraceRequest> trace(Path requestsCsv, String family) throws IOException {
        List<Map<String, String>> rows = csv(requestsCsv).stream().filter(r -> r.get("family").equals(family))
                .toList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no requests of family " + family + " in " + requestsCsv);
        }
        String first = rows.get(0).get("policy");
        return rows.stream().filter(r -> r.get("policy").equals(first))
                .map(r -> new TraceRequest(Integer.parseInt(r.get("request")), r.get("role"),
                        Double.parseDouble(r.get("arrival_s")), Integer.parseInt(r.get("prompt_tokens")),
                        Integer.parseInt(r.get("output_tokens"))))
                .sorted(Comparator.comparingDouble(TraceRequest::arrival)).toList();
    }

    static double num(String s) {
        return s == null || s.isEmpty() ? Double.POSITIVE_INFINITY : Double.parseDouble(s);
    }

    // ------------------------------------------------------------------ replay

    static final String[] WORDS = ("time year people way day man thing woman life child world school state family "
            + "student group country problem hand part place case week company system program question work "
            + "government number night point home water room mother area money story fact month lot right study book "
            + "eye job word business issue side kind head house service friend father power hour game line end member "
            + "law car city community name president team minute idea kid body information back parent face others "
            + "level office door health person art war history party result change morning reason research girl guy "
            + "moment air teacher force education").split(" ");

    /** Template tokens a one-message chat adds around its content (measured on the fake Qwen2.5 template). */
    static final int TEMPLATE_TOKENS = 13;

    static void replay(Map<String, String> opt) throws Exception {
        List<TraceRequest> trace = trace(Path.of(need(opt, "requests")), need(opt, "family"));
        String url = need(opt, "url");
        double scale = Double.parseDouble(need(opt, "scale"));
        Path out = Path.of(need(opt, "out"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        double tokensPerWord = tokensPerWord(http, need(opt, "tokenize-url"));
        warmUp(http, url, Integer.parseInt(opt.getOrDefault("warm-up", "40")), scale);
        // every prompt unique from its first word (a shared prefix would be served from the slot's prompt cache,
        // which the simulator does not model), built before the clock starts
        List<String> bodies = new ArrayList<>();
        for (TraceRequest r : trace) {
            SplittableRandom rnd = new SplittableRandom(r.id() * 1_000_003L + 17);
            int words = Math.max(1, (int) Math.round((r.promptTokens() - TEMPLATE_TOKENS) / tokensPerWord));
            StringBuilder text = new StringBuilder("request ").append(r.id());
            for (int i = 1; i < words; i++) {
                text.append(' ').append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            bodies.add("{\"model\":\"" + r.role() + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"max_tokens\":" + r.outputTokens() + ",\"ignore_eos\":true,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"" + text + "\"}]}");
        }
        ExecutorService pool = Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "replay");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime() + 500_000_000L;
        List<Future<String>> rows = new ArrayList<>();
        long lastReport = System.nanoTime();
        for (int i = 0; i < trace.size(); i++) {
            TraceRequest r = trace.get(i);
            long due = start + (long) (r.arrival() * scale * 1e9);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String body = bodies.get(i);
            rows.add(pool.submit(() -> send(http, url, r, body, due, scale)));
            if (System.nanoTime() - lastReport > 10e9) {
                lastReport = System.nanoTime();
                System.err.printf(Locale.ROOT, "replay: %d of %d sent (trace time %.0f s)%n", i + 1, trace.size(),
                        r.arrival());
            }
        }
        List<String> lines = new ArrayList<>(List.of(LIVE_HEADER));
        for (Future<String> f : rows) {
            lines.add(f.get());
        }
        pool.shutdown();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, lines, StandardCharsets.UTF_8);
        System.err.printf(Locale.ROOT, "replay: %d requests in %.1f s wall, %s%n", trace.size(),
                (System.nanoTime() - start) / 1e9, out);
    }

    /**
     * Short front-door requests before the clock starts, so that the JIT's first seconds (× 1/scale in simulated
     * time) are not charged to the trace's first requests. The front door is pinned, so its forecast moves nothing.
     */
    static void warmUp(HttpClient http, String url, int requests, double scale) throws Exception {
        TraceRequest probe = new TraceRequest(-1, "frontdoor", 0, 32, 8);
        String body = "{\"model\":\"frontdoor\",\"stream\":true,\"max_tokens\":8,\"ignore_eos\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"warm up\"}]}";
        for (int i = 0; i < requests; i++) {
            send(http, url, probe, body, System.nanoTime(), scale);
        }
        Thread.sleep(1000);
    }

    /** Tokens per word of the prompt vocabulary, by the backend's own tokenizer. */
    static double tokensPerWord(HttpClient http, String tokenizeUrl) throws Exception {
        SplittableRandom rnd = new SplittableRandom(1);
        StringBuilder text = new StringBuilder();
        int words = 2000;
        for (int i = 0; i < words; i++) {
            text.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(tokenizeUrl + "/tokenize"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"" + text + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            throw new IllegalStateException("tokenize: HTTP " + res.statusCode() + " " + res.body());
        }
        Matcher m = Pattern.compile("\"tokens\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(res.body());
        if (!m.find()) {
            throw new IllegalStateException("tokenize: no tokens in " + res.body());
        }
        return m.group(1).split(",").length / (double) words;
    }

    static final Pattern CONTENT = Pattern.compile("\"delta\":\\{[^}]*\"content\":\"(?!\")");
    static final Pattern X_ROLE = Pattern.compile("\"x_echelon\":\\{.*?\"role\":\"([^\"]*)\"");
    static final Pattern REASON = Pattern.compile("\"route_reason\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    static final Pattern PROMPT = Pattern.compile("\"prompt_tokens\":(\\d+)");
    static final Pattern COMPLETION = Pattern.compile("\"completion_tokens\":(\\d+)");
    static final Pattern QUEUE = Pattern.compile("\"queue_ms\":(\\d+)");
    static final Pattern LOAD_WAIT = Pattern.compile("\"load_wait_ms\":(\\d+)");
    static final Pattern ESCALATIONS = Pattern.compile("\"escalations\":\\[([^\\]]*)\\]");

    /** One request, streamed; its CSV row. Times are in the simulator's seconds (wall ÷ scale). */
    static String send(HttpClient http, String url, TraceRequest r, String body, long due, double scale) {
        int status = -1;
        double first = Double.NaN;
        double last = Double.NaN;
        String servedBy = "";
        String reason = "";
        String prompt = "";
        String completion = "";
        String queue = "";
        String loadWait = "";
        int escalations = 0;
        String error = "";
        String firstData = "";
        try {
            HttpRequest post = HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                    .timeout(Duration.ofMinutes(30)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<InputStream> res = http.send(post, HttpResponse.BodyHandlers.ofInputStream());
            status = res.statusCode();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (status != 200) {
                        error += line;
                        continue;
                    }
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    if (firstData.isEmpty() && !line.contains("\"role\":\"assistant\"")) {
                        firstData = line;
                    }
                    if (CONTENT.matcher(line).find()) {
                        double t = (System.nanoTime() - due) / 1e9 / scale;
                        if (Double.isNaN(first)) {
                            first = t;
                        }
                        last = t;
                    }
                    if (line.contains("\"x_echelon\"")) {
                        servedBy = group(X_ROLE, line, "");
                        reason = group(REASON, line, "");
                        queue = group(QUEUE, line, "");
                        loadWait = group(LOAD_WAIT, line, "");
                        String esc = group(ESCALATIONS, line, "").trim();
                        escalations = esc.isEmpty() ? 0 : esc.split("\\},\\{").length;
                    }
                    if (line.contains("\"usage\":{")) {
                        prompt = group(PROMPT, line, prompt);
                        completion = group(COMPLETION, line, completion);
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        boolean ok = status == 200 && !Double.isNaN(first);
        if (status == 200 && !ok) {
            status = 0; // a 200 that never produced a token
            error = "no content: " + firstData;
        }
        double cost = ok ? first + DECODE_WEIGHT * (last - first)
                + (servedBy.isEmpty() || servedBy.equals(r.role()) ? 0 : FALLBACK_PENALTY_S) : Double.NaN;
        return String.join(",", String.valueOf(r.id()), r.role(), fmt(r.arrival()), String.valueOf(r.promptTokens()),
                String.valueOf(r.outputTokens()), String.valueOf(status), servedBy, clean(reason),
                ok ? fmt(first) : "", ok ? fmt(last) : "", ok ? fmt(cost) : "", prompt, completion, queue, loadWait,
                String.valueOf(escalations), clean(error.length() > 200 ? error.substring(0, 200) : error));
    }

    static String group(Pattern p, String s, String otherwise) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group(1) : otherwise;
    }

    static String clean(String s) {
        return s.replace(',', ';').replace('\n', ' ').replace('\r', ' ');
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    // ------------------------------------------------------------------ report

    static void report(Map<String, String> opt, PrintStream out) throws IOException {
        Path sim = Path.of(need(opt, "sim"));
        Path live = Path.of(need(opt, "live"));
        String family = need(opt, "family");
        double scale = Double.parseDouble(need(opt, "scale"));
        List<String> policies = List.of(need(opt, "policies").split(","));
        Map<String, Map<String, String>> simSummary = new LinkedHashMap<>();
        for (Map<String, String> r : csv(sim.resolve("results.csv"))) {
            if (r.get("family").equals(family)) {
                simSummary.put(r.get("policy"), r);
            }
        }
        // per policy, each request's simulated TTFT (infinite: unserved)
        Map<String, Map<Integer, Double>> simTtft = new LinkedHashMap<>();
        for (Map<String, String> r : csv(sim.resolve("requests.csv"))) {
            if (r.get("family").equals(family)) {
                simTtft.computeIfAbsent(r.get("policy"), p -> new LinkedHashMap<>())
                        .put(Integer.parseInt(r.get("request")), num(r.get("ttft_s")));
            }
        }
        double optimumCost = simSummary.containsKey("optimum")
                ? Double.parseDouble(simSummary.get("optimum").get("mean_cost_s")) : Double.NaN;
        out.printf(Locale.ROOT, "Family %s, %s requests; live: Echelon in mock mode at time scale %s (%.0f× real "
                + "time), times in simulated seconds. Failed = non-200 or no token (counted as an infinite TTFT).%n%n",
                family, simSummary.isEmpty() ? "?" : simSummary.values().iterator().next().get("requests"),
                fmt(scale), 1 / scale);
        out.println("| policy | sim p50 / p95 / p99 TTFT (s) | live p50 / p95 / p99 TTFT (s) | sim mean cost (s) | "
                + "live mean cost (s) | live failed | live by fallback | live transitions | per-request TTFT "
                + "within max(1 s, 25 %) of sim |");
        out.println("|---|---|---|---|---|---:|---:|---:|---:|");
        Map<String, double[]> p95 = new LinkedHashMap<>();
        for (String policy : policies) {
            Path file = live.resolve(policy + ".csv");
            if (!Files.exists(file)) {
                continue;
            }
            List<LiveRow> rows = csv(file).stream().map(r -> new LiveRow(Integer.parseInt(r.get("request")),
                    r.get("role"), Integer.parseInt(r.get("status")), r.get("served_by"), num(r.get("ttft_s")),
                    num(r.get("cost_s")))).toList();
            double[] ttfts = rows.stream().mapToDouble(r -> r.ok() ? r.ttft() : Double.POSITIVE_INFINITY).sorted()
                    .toArray();
            long failed = rows.stream().filter(r -> !r.ok()).count();
            long byFallback = rows.stream().filter(r -> r.ok() && !r.servedBy().equals(r.role())).count();
            double liveCost = rows.stream().filter(LiveRow::ok).mapToDouble(LiveRow::cost).average().orElse(Double.NaN);
            Map<String, String> s = simSummary.get(policy);
            Map<Integer, Double> simulated = simTtft.getOrDefault(policy, Map.of());
            long close = rows.stream().filter(r -> {
                double a = r.ok() ? r.ttft() : Double.POSITIVE_INFINITY;
                double b = simulated.getOrDefault(r.id(), Double.NaN);
                return a == b || Math.abs(a - b) <= Math.max(1.0, 0.25 * Math.abs(b));
            }).count();
            long transitions = countLines(live.resolve(policy + "-transitions.jsonl"));
            double live95 = quantile(ttfts, 0.95);
            p95.put(policy, new double[] {s == null ? Double.NaN : Double.parseDouble(s.get("p95_ttft_s")), live95});
            out.printf(Locale.ROOT, "| %s | %s | %s / %s / %s | %s | %s | %d | %d | %d | %.0f %% |%n", policy,
                    s == null ? "–" : round(s.get("p50_ttft_s")) + " / " + round(s.get("p95_ttft_s")) + " / "
                            + round(s.get("p99_ttft_s")),
                    round(quantile(ttfts, 0.5)), round(live95), round(quantile(ttfts, 0.99)),
                    s == null ? "–" : round(s.get("mean_cost_s")), round(liveCost), failed, byFallback, transitions,
                    100.0 * close / rows.size());
        }
        if (p95.containsKey("planner")) {
            out.println();
            for (int k = 0; k < 2; k++) {
                String where = k == 0 ? "simulated" : "live";
                int idx = k;
                String best = p95.entrySet().stream().filter(e -> !e.getKey().equals("planner"))
                        .min(Comparator.comparingDouble(e -> e.getValue()[idx])).map(Map.Entry::getKey).orElse(null);
                if (best != null) {
                    double gain = 1 - p95.get("planner")[idx] / p95.get(best)[idx];
                    out.printf(Locale.ROOT, "- %s: the planner's p95 TTFT is %.1f %% below the best peer's (%s)%n",
                            where, 100 * gain, best);
                }
            }
            if (!Double.isNaN(optimumCost)) {
                out.printf(Locale.ROOT, "- the simulated offline optimum's mean cost: %s s%n", round(optimumCost));
            }
        }
    }

    static long countLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String round(String s) {
        return round(num(s));
    }

    static String round(double v) {
        if (Double.isInfinite(v)) {
            return "∞";
        }
        if (Double.isNaN(v)) {
            return "–";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }
}
