package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * In-memory nearest-neighbour index over two kinds of text: labelled <em>exemplars</em> (text, category,
 * difficulty), shipped in {@code routing/exemplars.jsonl}, and <em>outcomes</em> recorded at run time (text, role,
 * success), kept in a ring buffer of {@link Config#outcomeCapacity()} entries (the oldest is overwritten). Brute
 * force cosine similarity over unit vectors from the {@link Embedder}; exemplar vectors are computed once (lazily,
 * in one batch, on the first query) and cached. Thread-safe: queries run concurrently, recording takes a short
 * write lock.
 *
 * <p>Outcome evidence for a role is computed from its {@link Config#outcomesPerRole()} most similar outcomes whose
 * cosine similarity is at least {@link Config#minOutcomeSimilarity()} s₀; each counts with weight
 * {@code w = (sim − s₀) / (1 − s₀)} ∈ [0, 1], so a near-duplicate counts as one outcome and a barely similar one as
 * almost nothing. The role's rate is {@code Σ w·success / Σ w} and its evidence weight {@code Σ w}.
 */
public final class ExemplarIndex {

    /** Where the shipped exemplars live on the classpath. */
    public static final String DEFAULT_RESOURCE = "/routing/exemplars.jsonl";

    /** A labelled example: what a request of this category and difficulty looks like. */
    public record Exemplar(String text, String category, double difficulty) {
        public Exemplar {
            Objects.requireNonNull(text, "text");
            category = TaskCategory.normalise(category);
            if (!(difficulty >= 0 && difficulty <= 1)) {
                throw new IllegalArgumentException("difficulty must be in [0, 1] (was " + difficulty + ")");
            }
        }
    }

    /**
     * @param outcomeCapacity      most outcomes kept (ring buffer); ≥ 1
     * @param outcomesPerRole      most outcomes per role that count towards its evidence in one query
     * @param minOutcomeSimilarity outcomes less similar than this to the query are ignored, in [0, 1)
     */
    public record Config(int outcomeCapacity, int outcomesPerRole, double minOutcomeSimilarity) {
        public static final Config DEFAULTS = new Config(5000, 32, 0.5);

        public Config {
            if (outcomeCapacity < 1 || outcomesPerRole < 1) {
                throw new IllegalArgumentException("outcomeCapacity and outcomesPerRole must be ≥ 1");
            }
            if (!(minOutcomeSimilarity >= 0 && minOutcomeSimilarity < 1)) {
                throw new IllegalArgumentException("minOutcomeSimilarity must be in [0, 1) (was "
                        + minOutcomeSimilarity + ")");
            }
        }
    }

    private record Entry(Exemplar exemplar, float[] vector) {
    }

    private final Embedder embedder;
    private final Config config;
    private final Object embedLock = new Object();
    private final List<Exemplar> pending = new ArrayList<>();
    private volatile List<Entry> exemplars = List.of();

    private final ReentrantReadWriteLock outcomeLock = new ReentrantReadWriteLock();
    private final float[][] outcomeVectors;
    private final String[] outcomeRoles;
    private final boolean[] outcomeSuccess;
    private int outcomeNext;
    private int outcomeSize;

    public ExemplarIndex(Embedder embedder, Config config) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.config = Objects.requireNonNull(config, "config");
        this.outcomeVectors = new float[config.outcomeCapacity()][];
        this.outcomeRoles = new String[config.outcomeCapacity()];
        this.outcomeSuccess = new boolean[config.outcomeCapacity()];
    }

    public ExemplarIndex(Embedder embedder) {
        this(embedder, Config.DEFAULTS);
    }

    /** An index holding the shipped exemplars ({@link #DEFAULT_RESOURCE}). */
    public static ExemplarIndex withDefaultExemplars(Embedder embedder, Config config) {
        ExemplarIndex index = new ExemplarIndex(embedder, config);
        index.addExemplars(loadDefaultExemplars());
        return index;
    }

    public Config config() {
        return config;
    }

    /** Adds labelled exemplars; they are embedded on the next query (or {@link #warmUp()}). */
    public ExemplarIndex addExemplars(Collection<Exemplar> more) {
        synchronized (embedLock) {
            pending.addAll(more);
        }
        return this;
    }

    /** Embeds pending exemplars now (e.g. at startup, off the request path). */
    public void warmUp() {
        List<Exemplar> todo;
        synchronized (embedLock) {
            if (pending.isEmpty()) {
                return;
            }
            todo = List.copyOf(pending);
            List<float[]> vecs = embedder.embedAll(todo.stream().map(Exemplar::text).toList());
            if (vecs.size() != todo.size()) {
                throw new IllegalStateException("embedder returned " + vecs.size() + " vectors for " + todo.size()
                        + " texts");
            }
            List<Entry> next = new ArrayList<>(exemplars);
            for (int i = 0; i < todo.size(); i++) {
                next.add(new Entry(todo.get(i), unit(vecs.get(i))));
            }
            exemplars = List.copyOf(next);
            pending.clear();
        }
    }

    public int exemplarCount() {
        synchronized (embedLock) {
            return exemplars.size() + pending.size();
        }
    }

    public int outcomeCount() {
        outcomeLock.readLock().lock();
        try {
            return outcomeSize;
        } finally {
            outcomeLock.readLock().unlock();
        }
    }

    /** The unit vector the index uses for {@code text}; pass it to the vector overloads to embed only once. */
    public float[] embed(String text) {
        return unit(embedder.embed(text));
    }

    public Neighbourhood query(String text, int k) {
        return query(embed(text), k);
    }

    /** Nearest exemplars and per-role outcome evidence for a unit vector from {@link #embed(String)}. */
    public Neighbourhood query(float[] vector, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be ≥ 1 (was " + k + ")");
        }
        warmUp();
        vector = unit(vector);
        List<Neighbourhood.Neighbour> near = nearestExemplars(vector, k);
        Map<String, Double> votes = new LinkedHashMap<>();
        double wsum = 0;
        double dsum = 0;
        double ssum = 0;
        for (Neighbourhood.Neighbour n : near) {
            double w = Math.max(0, n.similarity());
            votes.merge(n.category(), w, Double::sum);
            wsum += w;
            dsum += w * n.difficulty();
            ssum += n.similarity();
        }
        if (wsum > 0) {
            for (Map.Entry<String, Double> e : votes.entrySet()) {
                e.setValue(e.getValue() / wsum);
            }
        } else {
            votes.clear();
        }
        double meanDifficulty = wsum > 0 ? dsum / wsum : Double.NaN;
        double meanSim = near.isEmpty() ? 0 : ssum / near.size();
        return new Neighbourhood(near, votes, meanDifficulty, meanSim, roleEvidence(vector));
    }

    private List<Neighbourhood.Neighbour> nearestExemplars(float[] q, int k) {
        List<Neighbourhood.Neighbour> all = new ArrayList<>();
        for (Entry e : exemplars) {
            if (e.vector().length == q.length) {
                Exemplar x = e.exemplar();
                all.add(new Neighbourhood.Neighbour(x.text(), x.category(), x.difficulty(), dot(q, e.vector())));
            }
        }
        all.sort(Comparator.comparingDouble(Neighbourhood.Neighbour::similarity).reversed());
        return all.size() > k ? List.copyOf(all.subList(0, k)) : all;
    }

    private record Hit(double similarity, boolean success) {
    }

    private Map<String, Neighbourhood.RoleEvidence> roleEvidence(float[] q) {
        Map<String, List<Hit>> byRole = new HashMap<>();
        double s0 = config.minOutcomeSimilarity();
        outcomeLock.readLock().lock();
        try {
            for (int i = 0; i < outcomeSize; i++) {
                float[] v = outcomeVectors[i];
                if (v.length != q.length) {
                    continue;
                }
                double sim = dot(q, v);
                if (sim >= s0) {
                    byRole.computeIfAbsent(outcomeRoles[i], r -> new ArrayList<>()).add(new Hit(sim, outcomeSuccess[i]));
                }
            }
        } finally {
            outcomeLock.readLock().unlock();
        }
        Map<String, Neighbourhood.RoleEvidence> out = new LinkedHashMap<>();
        byRole.forEach((role, hits) -> {
            hits.sort(Comparator.comparingDouble(Hit::similarity).reversed());
            double w = 0;
            double ok = 0;
            int n = Math.min(hits.size(), config.outcomesPerRole());
            for (int i = 0; i < n; i++) {
                Hit h = hits.get(i);
                double wi = s0 >= 1 ? 1 : Math.max(0, Math.min(1, (h.similarity() - s0) / (1 - s0)));
                w += wi;
                ok += h.success() ? wi : 0;
            }
            if (w > 0) {
                out.put(role, new Neighbourhood.RoleEvidence(ok / w, w, n));
            }
        });
        return out;
    }

    public void recordOutcome(String text, String role, boolean success) {
        recordOutcome(embed(text), role, success);
    }

    /** Records what happened when {@code role} served a request whose unit vector is {@code vector}. */
    public void recordOutcome(float[] vector, String role, boolean success) {
        Objects.requireNonNull(role, "role");
        float[] copy = unit(vector);
        outcomeLock.writeLock().lock();
        try {
            outcomeVectors[outcomeNext] = copy;
            outcomeRoles[outcomeNext] = role;
            outcomeSuccess[outcomeNext] = success;
            outcomeNext = (outcomeNext + 1) % outcomeVectors.length;
            outcomeSize = Math.min(outcomeSize + 1, outcomeVectors.length);
        } finally {
            outcomeLock.writeLock().unlock();
        }
    }

    /** Forgets every recorded outcome (exemplars stay). */
    public void clearOutcomes() {
        outcomeLock.writeLock().lock();
        try {
            java.util.Arrays.fill(outcomeVectors, null);
            java.util.Arrays.fill(outcomeRoles, null);
            outcomeNext = 0;
            outcomeSize = 0;
        } finally {
            outcomeLock.writeLock().unlock();
        }
    }

    // ------------------------------------------------------------------ exemplar files

    /** The exemplars shipped on the classpath at {@link #DEFAULT_RESOURCE}. */
    public static List<Exemplar> loadDefaultExemplars() {
        try (InputStream in = ExemplarIndex.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + DEFAULT_RESOURCE + " is missing");
            }
            return loadExemplars(in, DEFAULT_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads JSON lines {@code {"text": …, "category": …, "difficulty": 0.4 | "easy" | "medium" | "hard"}}
     * (also accepts {@code prompt} for {@code text}); blank lines and lines starting with {@code #} are skipped.
     *
     * @throws IllegalArgumentException naming the source and line of the first bad entry
     */
    public static List<Exemplar> loadExemplars(InputStream in, String source) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<Exemplar> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            try {
                JsonNode n = mapper.readTree(t);
                String text = n.hasNonNull("text") ? n.get("text").asText() : n.path("prompt").asText(null);
                String category = n.path("category").asText(null);
                if (text == null || category == null || !n.has("difficulty")) {
                    throw new IllegalArgumentException("needs text, category and difficulty");
                }
                out.add(new Exemplar(text, category, difficulty(n.get("difficulty"))));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(source + ":" + no + ": bad exemplar (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    /** A difficulty given as a number in [0, 1] or as a label: easy 0.2, medium 0.5, hard 0.8. */
    public static double difficulty(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        return difficultyOfLabel(n.asText());
    }

    public static double difficultyOfLabel(String label) {
        return switch (label.trim().toLowerCase(Locale.ROOT)) {
            case "easy" -> 0.2;
            case "medium" -> 0.5;
            case "hard" -> 0.8;
            default -> throw new IllegalArgumentException("difficulty must be a number or easy/medium/hard (was '"
                    + label + "')");
        };
    }

    // ------------------------------------------------------------------ vectors

    static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        float[] out = v.clone();
        if (n > 0) {
            float inv = (float) (1 / Math.sqrt(n));
            for (int i = 0; i < out.length; i++) {
                out[i] *= inv;
            }
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
