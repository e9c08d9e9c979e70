package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.memory.ExactIndex;
import dev.echelon.memory.VectorIndex;
import dev.echelon.memory.Vectors;

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
import java.util.function.IntFunction;

/**
 * In-memory nearest-neighbour index over two kinds of text: labelled <em>exemplars</em> (text, category,
 * difficulty), shipped in {@code routing/exemplars.jsonl}, and <em>outcomes</em> recorded at run time (text, role,
 * success), kept in a ring buffer of {@link Config#outcomeCapacity()} entries (the oldest is overwritten). Cosine
 * similarity over unit vectors from the {@link Embedder}, searched in {@link VectorIndex}es — the same kind memory
 * uses (FAISS where its library loads); exemplar vectors are computed once (lazily, in one batch, on the first query)
 * and cached. Thread-safe: queries run concurrently, recording takes a short write lock.
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

    /** The exemplars and the index over their vectors (ids = positions in the list), swapped as one. */
    private record Exemplars(List<Exemplar> list, VectorIndex index) {
    }

    private final Embedder embedder;
    private final Config config;
    private final IntFunction<VectorIndex> indexes;
    private final Object embedLock = new Object();
    private final List<Exemplar> pending = new ArrayList<>();
    private final List<float[]> embedded = new ArrayList<>();
    private volatile Exemplars exemplars = new Exemplars(List.of(), null);

    private final ReentrantReadWriteLock outcomeLock = new ReentrantReadWriteLock();
    private VectorIndex outcomeIndex; // ids = ring-buffer slots; a slot written again replaces its vector
    private final String[] outcomeRoles;
    private final boolean[] outcomeSuccess;
    private int outcomeNext;
    private int outcomeSize;

    /**
     * @param indexes makes the vector index for a dimension: the service passes the memory's (FAISS where it
     *                loads), tests the pure-Java exact one
     */
    public ExemplarIndex(Embedder embedder, Config config, IntFunction<VectorIndex> indexes) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.config = Objects.requireNonNull(config, "config");
        this.indexes = Objects.requireNonNull(indexes, "indexes");
        this.outcomeRoles = new String[config.outcomeCapacity()];
        this.outcomeSuccess = new boolean[config.outcomeCapacity()];
    }

    public ExemplarIndex(Embedder embedder, Config config) {
        this(embedder, config, ExactIndex::new);
    }

    public ExemplarIndex(Embedder embedder) {
        this(embedder, Config.DEFAULTS);
    }

    /** An index holding the shipped exemplars ({@link #DEFAULT_RESOURCE}). */
    public static ExemplarIndex withDefaultExemplars(Embedder embedder, Config config) {
        return withDefaultExemplars(embedder, config, ExactIndex::new);
    }

    /** An index holding the shipped exemplars, its vectors in indexes from {@code indexes}. */
    public static ExemplarIndex withDefaultExemplars(Embedder embedder, Config config,
            IntFunction<VectorIndex> indexes) {
        ExemplarIndex index = new ExemplarIndex(embedder, config, indexes);
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
        synchronized (embedLock) {
            if (pending.isEmpty()) {
                return;
            }
            List<Exemplar> todo = List.copyOf(pending);
            List<float[]> vecs = embedder.embedAll(todo.stream().map(Exemplar::text).toList());
            if (vecs.size() != todo.size()) {
                throw new IllegalStateException("embedder returned " + vecs.size() + " vectors for " + todo.size()
                        + " texts");
            }
            List<Exemplar> all = new ArrayList<>(exemplars.list());
            all.addAll(todo);
            vecs.forEach(v -> embedded.add(Vectors.unit(v)));
            // a fresh index holding every exemplar, published in one write: queries never see half of a batch
            VectorIndex index = indexes.apply(embedded.get(0).length);
            for (int i = 0; i < embedded.size(); i++) {
                index.add(i, embedded.get(i));
            }
            Exemplars previous = exemplars;
            exemplars = new Exemplars(List.copyOf(all), index);
            closeQuietly(previous.index());
            pending.clear();
        }
    }

    public int exemplarCount() {
        synchronized (embedLock) {
            return exemplars.list().size() + pending.size();
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
        return Vectors.unit(embedder.embed(text));
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
        vector = Vectors.unit(vector);
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
        Exemplars ex = exemplars;
        if (ex.index() == null || ex.list().isEmpty()) {
            return List.of();
        }
        List<Neighbourhood.Neighbour> out = new ArrayList<>();
        for (VectorIndex.Hit h : ex.index().search(q, k, id -> true)) {
            Exemplar x = ex.list().get((int) h.id());
            out.add(new Neighbourhood.Neighbour(x.text(), x.category(), x.difficulty(), h.score()));
        }
        return out;
    }

    private record Hit(double similarity, boolean success) {
    }

    /**
     * Each role's most similar outcomes at or above s₀. One search for the top {@code outcomesPerRole × roles}
     * usually settles it; when it ends while still above s₀, a role short of its quota may have more similar
     * outcomes further down, so that role is searched on its own — the result is the same as scoring every outcome.
     */
    private Map<String, Neighbourhood.RoleEvidence> roleEvidence(float[] q) {
        Map<String, List<Hit>> byRole = new HashMap<>();
        double s0 = config.minOutcomeSimilarity();
        int perRole = config.outcomesPerRole();
        outcomeLock.readLock().lock();
        try {
            if (outcomeIndex == null || outcomeSize == 0) {
                return Map.of();
            }
            java.util.Set<String> roles = new java.util.HashSet<>();
            for (int i = 0; i < outcomeSize; i++) {
                roles.add(outcomeRoles[i]);
            }
            int k = Math.min(outcomeSize, perRole * roles.size());
            List<VectorIndex.Hit> hits = outcomeIndex.search(q, k, id -> true);
            boolean exhausted = hits.size() < k || k == outcomeSize
                    || !hits.isEmpty() && hits.get(hits.size() - 1).score() < s0;
            collect(hits, byRole, s0, perRole);
            if (!exhausted) {
                for (String role : roles) {
                    if (byRole.getOrDefault(role, List.of()).size() < perRole) {
                        byRole.remove(role);
                        collect(outcomeIndex.search(q, perRole, id -> role.equals(outcomeRoles[(int) id])), byRole, s0,
                                perRole);
                    }
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
            int n = Math.min(hits.size(), perRole);
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

    private void collect(List<VectorIndex.Hit> hits, Map<String, List<Hit>> byRole, double s0, int perRole) {
        for (VectorIndex.Hit h : hits) {
            int slot = (int) h.id();
            if (h.score() >= s0) {
                List<Hit> list = byRole.computeIfAbsent(outcomeRoles[slot], r -> new ArrayList<>());
                if (list.size() < perRole) {
                    list.add(new Hit(h.score(), outcomeSuccess[slot]));
                }
            }
        }
    }

    public void recordOutcome(String text, String role, boolean success) {
        recordOutcome(embed(text), role, success);
    }

    /** Records what happened when {@code role} served a request whose unit vector is {@code vector}. */
    public void recordOutcome(float[] vector, String role, boolean success) {
        Objects.requireNonNull(role, "role");
        float[] copy = Vectors.unit(vector);
        outcomeLock.writeLock().lock();
        try {
            if (outcomeIndex == null) {
                outcomeIndex = indexes.apply(copy.length);
            }
            outcomeIndex.add(outcomeNext, copy); // replaces the slot's previous outcome, if any
            outcomeRoles[outcomeNext] = role;
            outcomeSuccess[outcomeNext] = success;
            outcomeNext = (outcomeNext + 1) % outcomeRoles.length;
            outcomeSize = Math.min(outcomeSize + 1, outcomeRoles.length);
        } finally {
            outcomeLock.writeLock().unlock();
        }
    }

    /** Forgets every recorded outcome (exemplars stay). */
    public void clearOutcomes() {
        outcomeLock.writeLock().lock();
        try {
            closeQuietly(outcomeIndex);
            outcomeIndex = null;
            java.util.Arrays.fill(outcomeRoles, null);
            outcomeNext = 0;
            outcomeSize = 0;
        } finally {
            outcomeLock.writeLock().unlock();
        }
    }

    private static void closeQuietly(VectorIndex index) {
        if (index instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // a native index that fails to free is leaked memory, not a wrong answer
            }
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
}
