package dev.echelon.bench;

import dev.echelon.memory.EmbeddingService;
import dev.echelon.memory.ExactIndex;
import dev.echelon.memory.VectorIndex;
import dev.echelon.memory.VectorIndex.Hit;
import dev.echelon.memory.faiss.ClusteredVectors;
import dev.echelon.memory.faiss.FaissIndex;
import dev.echelon.memory.faiss.FaissSettings;
import dev.echelon.memory.faiss.FaissSupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongPredicate;

/**
 * The memory index benchmark (bench/memory/run.sh): for each size, the exact pure-Java index, faiss-flat and
 * faiss-hnsw on the same synthetic clustered 384-dimensional unit vectors ({@link ClusteredVectors}): index-only
 * ingest rate, single-query latency (p50/p99), HNSW recall@10 against exact search over a sweep of efSearch, and the
 * process's resident memory after each build. Then embedding plus indexing with the real all-MiniLM-L6-v2 model on
 * generated sentences. A plain main in its own JVM: the ONNX tokenizer refuses to load in a second classloader.
 *
 * <pre>  args: [--sizes 100000,1000000] [--queries 200] [--slow-queries 100] [--efc 80] [--ef 32,64,96,128,192,256]
 *        [--embed 3000] [--out bench/memory]</pre>
 */
public final class MemoryBench {

    private static final int D = 384;
    private static final int K = 10;
    private static final int CHUNK = 10_000;
    private static final LongPredicate ALL = id -> true;

    private final List<String> lines = new ArrayList<>();
    private final List<String> table = new ArrayList<>();
    private final List<String> sweep = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        int[] sizes = ints(arg(args, "--sizes", "100000,1000000"));
        int queries = Integer.parseInt(arg(args, "--queries", "200"));
        int slowQueries = Integer.parseInt(arg(args, "--slow-queries", "100"));
        int efc = Integer.parseInt(arg(args, "--efc", String.valueOf(FaissSettings.defaults().efConstruction())));
        int[] efs = ints(arg(args, "--ef", "32,64,96,128,192,256"));
        int embed = Integer.parseInt(arg(args, "--embed", "3000"));
        Path out = Path.of(arg(args, "--out", "bench/memory"));
        FaissSupport.Status faiss = FaissSupport.require();
        MemoryBench b = new MemoryBench();
        // relative to the working directory: results.md is committed, machine paths are not
        b.say("FAISS: " + faiss.detail().replace(Path.of("").toAbsolutePath() + "/", ""));
        b.say(String.format("settings: M=%d efConstruction=%d default efSearch=%d buildThreads=%d; cores=%d; max heap %d MB",
                FaissSettings.defaults().m(), efc, FaissSettings.defaults().efSearch(),
                FaissSettings.defaults().buildThreads(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20));
        ClusteredVectors shape = new ClusteredVectors(D, 1_000, 20261121L);
        for (int n : sizes) {
            b.size(shape, n, queries, slowQueries, efc, efs);
        }
        if (embed > 0) {
            b.embedding(embed, efc);
        }
        b.write(out, args);
    }

    private void size(ClusteredVectors shape, int n, int nq, int slowQ, int efc, int[] efs) {
        say("");
        say("== n = " + n);
        long t0 = System.nanoTime();
        float[] rows = shape.draw(n, 1);
        float[] queries = shape.draw(nq, 2);
        say(String.format("generated %d vectors in %.1f s", n, secs(t0)));
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 1_000_000_000L + i;
        }
        int slow = Math.min(slowQ, nq);

        // exact pure Java: the reference and the fallback
        ExactIndex exact = new ExactIndex(D);
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            exact.add(ids[i], ClusteredVectors.row(rows, i, D));
        }
        double exactIngest = n / secs(t0);
        String exactRss = rss();
        double[] exactLat = latency(exact, queries, slow);
        exact = null;
        System.gc();
        row(n, "java-exact", "-", exactIngest, "-", exactLat, "1 (exact)", exactRss);

        // faiss-flat: exact too; its batched search gives the ground truth cheaply (BLAS)
        List<List<Hit>> truth;
        try (FaissIndex flat = new FaissIndex(D, FaissSettings.defaults().withHnswThreshold(Integer.MAX_VALUE))) {
            t0 = System.nanoTime();
            addInChunks(flat, ids, rows);
            double bulk = n / secs(t0);
            String flatRss = rss();
            t0 = System.nanoTime();
            truth = flat.searchBatch(queries, K);
            say(String.format("ground truth (faiss-flat, one batch of %d queries): %.2f ms/query", nq, secs(t0) * 1000 / nq));
            double[] lat = latency(flat, queries, slow);
            double single = singleAdds(flat, shape, 2_000);
            row(n, "faiss-flat", "-", bulk, String.format("%.0f", single), lat, "1 (exact)", flatRss);
        }
        System.gc();

        // faiss-hnsw from the first vector (threshold 1), bulk-built as a rebuild from the store would be
        FaissSettings hs = FaissSettings.defaults().withHnswThreshold(1).withEf(efc, FaissSettings.defaults().efSearch());
        try (FaissIndex hnsw = new FaissIndex(D, hs)) {
            t0 = System.nanoTime();
            addInChunks(hnsw, ids, rows);
            double buildSecs = secs(t0);
            String hnswRss = rss();
            say(String.format("hnsw build: %.1f s (%.3f ms/vector on %d threads)", buildSecs, buildSecs * 1000 / n,
                    hs.buildThreads()));
            double[] atDefault = null;
            double recallAtDefault = 0;
            for (int ef : efs) {
                hnsw.efSearch(ef);
                double recall = recall(hnsw, queries, truth);
                double[] lat = latency(hnsw, queries, nq);
                sweep.add(String.format("| %,d | %d | %d | %.4f | %.3f | %.3f |", n, efc, ef, recall, lat[0], lat[1]));
                say(String.format("hnsw efSearch=%d: recall@10 %.4f, p50 %.3f ms, p99 %.3f ms", ef, recall, lat[0], lat[1]));
                if (ef == FaissSettings.defaults().efSearch()) {
                    atDefault = lat;
                    recallAtDefault = recall;
                }
            }
            hnsw.efSearch(FaissSettings.defaults().efSearch());
            if (atDefault == null) {
                atDefault = latency(hnsw, queries, nq);
                recallAtDefault = recall(hnsw, queries, truth);
            }
            double single = singleAdds(hnsw, shape, 2_000);
            row(n, "faiss-hnsw", "efC " + efc + ", efS " + FaissSettings.defaults().efSearch(), n / buildSecs,
                    String.format("%.0f", single), atDefault, String.format("%.4f", recallAtDefault), hnswRss);
        }
        System.gc();
    }

    private void embedding(int count, int efc) {
        say("");
        say("== embed + index: " + count + " generated sentences, batches of 32, all-MiniLM-L6-v2 in process");
        List<String> texts = Sentences.generate(count, 7);
        EmbeddingService embedder = new EmbeddingService();
        long t0 = System.nanoTime();
        embedder.embed(texts.subList(0, 32)); // loads the model: reported apart
        say(String.format("model load + first batch: %.1f s", secs(t0)));
        FaissIndex flat = new FaissIndex(D);
        FaissIndex hnsw = new FaissIndex(D, FaissSettings.defaults().withHnswThreshold(1).withEf(efc, FaissSettings.defaults().efSearch()));
        ExactIndex exact = new ExactIndex(D);
        float[] all = new float[count * D];
        long embedNanos = 0;
        long indexNanos = 0;
        int tokens = 0;
        for (int from = 0; from < count; from += 32) {
            List<String> batch = texts.subList(from, Math.min(count, from + 32));
            long a = System.nanoTime();
            EmbeddingService.Embeddings e = embedder.embed(batch);
            long bNanos = System.nanoTime();
            tokens += e.tokens();
            for (int i = 0; i < batch.size(); i++) {
                flat.add(from + i, e.vectors().get(i));
                System.arraycopy(e.vectors().get(i), 0, all, (from + i) * D, D);
            }
            indexNanos += System.nanoTime() - bNanos;
            embedNanos += bNanos - a;
        }
        double embedRate = count / (embedNanos / 1e9);
        double totalRate = count / ((embedNanos + indexNanos) / 1e9);
        say(String.format("embed: %.0f texts/s (%d word-piece tokens, %.1f per text); embed + faiss-flat add: %.0f texts/s",
                embedRate, tokens, tokens / (double) count, totalRate));
        // the same real vectors into an HNSW graph: a small check that recall holds on genuine embeddings too,
        // with fresh sentences as queries (the templates repeat, so some stored vectors tie; that costs a little)
        long[] ids = new long[count];
        for (int i = 0; i < count; i++) {
            ids[i] = i;
            exact.add(i, ClusteredVectors.row(all, i, D));
        }
        hnsw.addAll(ids, all);
        List<float[]> queries = embedder.embed(Sentences.generate(200, 8)).vectors();
        double recall = 0;
        for (float[] query : queries) {
            recall += overlap(exact.search(query, K, ALL), hnsw.search(query, K, ALL)) / (double) K;
        }
        say(String.format("real embeddings, %d vectors: HNSW (efC %d, efS %d) recall@10 vs exact: %.4f", count, efc,
                FaissSettings.defaults().efSearch(), recall / queries.size()));
        lines.add("");
        lines.add(String.format("Embed + index (all-MiniLM-L6-v2, batches of 32, %d generated sentences, %.1f tokens each): "
                + "embedding %.0f texts/s; embedding + faiss-flat add %.0f texts/s (indexing is %.1f%% of the time).",
                count, tokens / (double) count, embedRate, totalRate, 100.0 * indexNanos / (embedNanos + indexNanos)));
        flat.close();
        hnsw.close();
    }

    private static void addInChunks(FaissIndex index, long[] ids, float[] rows) {
        for (int from = 0; from < ids.length; from += CHUNK) {
            int to = Math.min(ids.length, from + CHUNK);
            index.addAll(Arrays.copyOfRange(ids, from, to), Arrays.copyOfRange(rows, from * D, to * D));
        }
    }

    /** One-at-a-time additions (the steady state: one memory at a time), of fresh vectors with fresh ids. */
    private static double singleAdds(FaissIndex index, ClusteredVectors shape, int count) {
        float[] extra = shape.draw(count, 3);
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            index.add(5_000_000_000L + i, ClusteredVectors.row(extra, i, D));
        }
        return count / secs(t0);
    }

    /** p50 and p99 in ms of single queries, after a warm-up of 10. */
    private static double[] latency(VectorIndex index, float[] queries, int count) {
        for (int q = 0; q < 10; q++) {
            index.search(ClusteredVectors.row(queries, q, D), K, ALL);
        }
        double[] ms = new double[count];
        for (int q = 0; q < count; q++) {
            float[] query = ClusteredVectors.row(queries, q, D);
            long t0 = System.nanoTime();
            index.search(query, K, ALL);
            ms[q] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[(int) Math.floor(0.5 * (count - 1))], ms[(int) Math.ceil(0.99 * (count - 1))]};
    }

    private static double recall(FaissIndex index, float[] queries, List<List<Hit>> truth) {
        double sum = 0;
        for (int q = 0; q < truth.size(); q++) {
            sum += overlap(truth.get(q), index.search(ClusteredVectors.row(queries, q, D), K, ALL)) / (double) K;
        }
        return sum / truth.size();
    }

    private static int overlap(List<Hit> a, List<Hit> b) {
        HashSet<Long> ids = new HashSet<>();
        a.forEach(h -> ids.add(h.id()));
        return (int) b.stream().filter(h -> ids.contains(h.id())).count();
    }

    private void row(int n, String kind, String params, double bulk, String single, double[] lat, String recall,
                     String rss) {
        table.add(String.format("| %,d | %s | %s | %,.0f | %s | %.3f | %.3f | %s | %s |", n, kind, params, bulk, single,
                lat[0], lat[1], recall, rss));
        say(table.get(table.size() - 1));
    }

    /** VmRSS (now) and VmHWM (peak so far) of this process. */
    private static String rss() {
        try {
            String rss = "?";
            String hwm = "?";
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    rss = mb(l);
                } else if (l.startsWith("VmHWM:")) {
                    hwm = mb(l);
                }
            }
            return rss + " / " + hwm;
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static String mb(String statusLine) {
        long kb = Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
        return String.format("%,d MB", kb >> 10);
    }

    private void write(Path dir, String[] args) throws IOException {
        List<String> md = new ArrayList<>();
        md.add("# Memory index benchmark");
        md.add("");
        md.add("Generated by `bench/memory/run.sh " + String.join(" ", args) + "` at " + Instant.now() + ".");
        md.add("Source: src/test/java/dev/echelon/bench/MemoryBench.java; data: ClusteredVectors (see bench/memory/README.md).");
        md.add("");
        md.add("| n | index | parameters | ingest, bulk (vectors/s) | ingest, one by one (vectors/s) | query p50 (ms) "
                + "| query p99 (ms) | recall@10 vs exact | RSS after build / peak |");
        md.add("|---|---|---|---|---|---|---|---|---|");
        md.addAll(table);
        md.add("");
        md.add("HNSW efSearch sweep (single queries, k = 10):");
        md.add("");
        md.add("| n | efConstruction | efSearch | recall@10 | p50 (ms) | p99 (ms) |");
        md.add("|---|---|---|---|---|---|");
        md.addAll(sweep);
        md.add("");
        md.add("Log:");
        md.add("");
        md.add("```");
        md.addAll(lines);
        md.add("```");
        Files.createDirectories(dir);
        Files.write(dir.resolve("results.md"), md);
        System.out.println("wrote " + dir.resolve("results.md"));
    }

    private void say(String s) {
        lines.add(s);
        System.out.println(s);
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** Memory-like sentences from templates: subjects, actions, objects and details drawn with a seed. */
    static final class Sentences {
        private static final String[] WHO = {"The user", "My manager", "The deploy script", "Our test suite",
            "The customer", "The on-call engineer", "The database", "The new intern", "The build server", "Alice"};
        private static final String[] DID = {"prefers", "asked about", "failed on", "keeps forgetting", "wants to migrate",
            "reported a bug in", "needs a summary of", "is allergic to", "scheduled a review of", "rewrote"};
        private static final String[] WHAT = {"the Postgres connection pool", "Thai food", "the quarterly budget",
            "Kubernetes ingress rules", "the login page", "Python type hints", "the flaky payment test",
            "a trip to Lisbon", "the Rust rewrite", "vector search latency", "the holiday rota", "TLS certificates"};
        private static final String[] DETAIL = {"since last Tuesday", "before the release", "every morning",
            "because of the timeout", "for the third time", "in the staging cluster", "with a strong preference for brevity",
            "and wants it in Markdown", "after the outage", "on weekends only"};

        static List<String> generate(int n, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(WHO[r.nextInt(WHO.length)] + " " + DID[r.nextInt(DID.length)] + " "
                        + WHAT[r.nextInt(WHAT.length)] + " " + DETAIL[r.nextInt(DETAIL.length)]
                        + (r.nextInt(3) == 0 ? " (note " + r.nextInt(10_000) + ")." : "."));
            }
            return out;
        }
    }
}
