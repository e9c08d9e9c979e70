package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * How well each role does on each task category, learned from outcomes: a Beta posterior per (category, role).
 *
 * <h2>Model</h2>
 * A cell holds decayed counts of successes {@code S} and failures {@code F}. Its posterior is
 * {@code Beta(α, β)} with {@code α = n₀·m₀ + S}, {@code β = n₀·(1 − m₀) + F}, where {@code m₀} is the caller's prior
 * mean for the cell ({@link Prior}) and {@code n₀} the prior strength in pseudo-observations
 * ({@link Config#priorStrength()}). Because only {@code S} and {@code F} are stored, changing the priors later
 * changes every cell consistently.
 *
 * <h2>Forgetting</h2>
 * Two configurable mechanisms pull a cell back towards its prior, so the tracker follows a model that changes
 * (new weights, new quantisation, new traffic):
 * <ul>
 *   <li>per update: before adding an outcome, {@code S} and {@code F} are multiplied by
 *       {@link Config#decayPerUpdate()} λ; a cell's evidence therefore saturates at {@code weight / (1 − λ)}
 *       (50 outcomes for λ = 0.98);</li>
 *   <li>with time: {@code S} and {@code F} halve every {@link Config#halfLife()} (wall clock, so it spans restarts;
 *       zero disables it).</li>
 * </ul>
 *
 * <h2>Exploration</h2>
 * {@link #explore} implements capped Thompson sampling: with probability ε ({@link Config#explorationRate()},
 * at most {@link #MAX_EXPLORATION}) it draws a success rate for each candidate from its posterior and applies the
 * router's own rule (cheapest candidate whose draw reaches the target, else the best draw); if that names a
 * different role than the router chose, the request explores it. A hard cap keeps explorations ≤ ε × decisions at
 * every moment, whatever the random draws.
 *
 * <h2>Persistence</h2>
 * {@link #save} writes JSON atomically (temporary file, fsync, atomic rename, directory fsync); {@link #load}
 * replaces the state with the file's and never throws: a missing file means priors, a corrupt one is reported (log
 * and {@link LoadResult}), moved aside to {@code <file>.corrupt}, and replaced by priors.
 *
 * <p>Thread-safe (one monitor; every operation is a few arithmetic steps).
 */
public final class SkillTracker {

    private static final Logger LOG = Logger.getLogger(SkillTracker.class);

    /** The largest exploration rate a configuration may ask for. */
    public static final double MAX_EXPLORATION = 0.05;

    static final String FORMAT = "echelon-skill-tracker";
    static final int VERSION = 1;

    /** Prior mean success of a role on a category, in (0, 1); e.g. {@link RolePriors#asTrackerPrior()}. */
    @FunctionalInterface
    public interface Prior {
        double mean(String category, String role);
    }

    /**
     * @param decayPerUpdate  λ ∈ (0, 1]: counts are multiplied by λ before each new outcome (1 = never forget)
     * @param halfLife        counts halve after this much wall-clock time without updates; {@code Duration.ZERO}
     *                        disables time decay
     * @param priorStrength   n₀ &gt; 0: how many outcomes the prior is worth
     * @param explorationRate ε ∈ [0, {@link #MAX_EXPLORATION}]: the largest fraction of decisions that explore
     * @param lowerBoundZ     z ≥ 0 for {@link #lowerBound}: mean − z·sd
     * @param seed            seed of the exploration random generator
     */
    public record Config(double decayPerUpdate, Duration halfLife, double priorStrength, double explorationRate,
            double lowerBoundZ, long seed) {

        public static final Config DEFAULTS = new Config(0.98, Duration.ofDays(7), 4.0, 0.02, 1.645, 0x5EEDL);

        public Config {
            if (!(decayPerUpdate > 0 && decayPerUpdate <= 1)) {
                throw new IllegalArgumentException("decayPerUpdate must be in (0, 1] (was " + decayPerUpdate + ")");
            }
            Objects.requireNonNull(halfLife, "halfLife");
            if (halfLife.isNegative()) {
                throw new IllegalArgumentException("halfLife must not be negative (was " + halfLife + ")");
            }
            if (!(priorStrength > 0 && Double.isFinite(priorStrength))) {
                throw new IllegalArgumentException("priorStrength must be > 0 (was " + priorStrength + ")");
            }
            if (!(explorationRate >= 0 && explorationRate <= MAX_EXPLORATION)) {
                throw new IllegalArgumentException("explorationRate must be in [0, " + MAX_EXPLORATION + "] (was "
                        + explorationRate + ")");
            }
            if (!(lowerBoundZ >= 0 && Double.isFinite(lowerBoundZ))) {
                throw new IllegalArgumentException("lowerBoundZ must be ≥ 0 (was " + lowerBoundZ + ")");
            }
        }

        public Config withExplorationRate(double rate) {
            return new Config(decayPerUpdate, halfLife, priorStrength, rate, lowerBoundZ, seed);
        }

        public Config withDecayPerUpdate(double decay) {
            return new Config(decay, halfLife, priorStrength, explorationRate, lowerBoundZ, seed);
        }

        public Config withHalfLife(Duration h) {
            return new Config(decayPerUpdate, h, priorStrength, explorationRate, lowerBoundZ, seed);
        }
    }

    /**
     * One cell as it stands now (time decay applied).
     *
     * @param successes decayed success weight S
     * @param failures  decayed failure weight F
     * @param updates   outcomes recorded (not decayed)
     * @param priorMean m₀
     * @param alpha     n₀·m₀ + S
     * @param beta      n₀·(1 − m₀) + F
     */
    public record Evidence(double successes, double failures, long updates, double priorMean, double alpha,
            double beta) {

        public double mean() {
            return alpha / (alpha + beta);
        }

        public double variance() {
            double n = alpha + beta;
            return alpha * beta / (n * n * (n + 1));
        }

        /** S + F: how much data (beyond the prior) the cell holds. */
        public double weight() {
            return successes + failures;
        }
    }

    public enum LoadStatus { LOADED, MISSING, CORRUPT }

    /**
     * @param cells   cells read (0 unless LOADED)
     * @param message what happened, for the log and {@code /admin}
     */
    public record LoadResult(LoadStatus status, int cells, String message) {
    }

    /** Decisions seen by {@link #explore} and how many explored. */
    public record ExplorationStats(long decisions, long explorations) {
        public double fraction() {
            return decisions == 0 ? 0 : (double) explorations / decisions;
        }
    }

    private static final class Cell {
        double successes;
        double failures;
        long updates;
        long lastMillis;
    }

    private final Config config;
    private final Prior prior;
    private final LongSupplier clock;
    private final Random random;
    /** category → role → cell, sorted for stable files. */
    private final Map<String, Map<String, Cell>> cells = new TreeMap<>();
    private long decisions;
    private long explorations;

    public SkillTracker(Config config, Prior prior) {
        this(config, prior, System::currentTimeMillis);
    }

    /** @param clockMillis wall clock in epoch milliseconds (for time decay; injectable for tests) */
    public SkillTracker(Config config, Prior prior, LongSupplier clockMillis) {
        this.config = Objects.requireNonNull(config, "config");
        this.prior = Objects.requireNonNull(prior, "prior");
        this.clock = Objects.requireNonNull(clockMillis, "clockMillis");
        this.random = new Random(config.seed());
    }

    public Config config() {
        return config;
    }

    /**
     * Records one outcome of {@code role} on {@code category}.
     *
     * @param weight how much this outcome counts (1 for an ordinary request; less for weak evidence, e.g. an
     *               outcome inferred rather than observed); finite, ≥ 0
     */
    public synchronized void record(String category, String role, boolean success, double weight) {
        if (!(weight >= 0 && Double.isFinite(weight))) {
            throw new IllegalArgumentException("weight must be finite and ≥ 0 (was " + weight + ")");
        }
        String c = TaskCategory.normalise(category);
        Cell cell = cells.computeIfAbsent(c, k -> new TreeMap<>()).computeIfAbsent(role, k -> new Cell());
        long now = clock.getAsLong();
        double f = timeFactor(cell, now) * config.decayPerUpdate();
        cell.successes *= f;
        cell.failures *= f;
        if (success) {
            cell.successes += weight;
        } else {
            cell.failures += weight;
        }
        cell.updates++;
        cell.lastMillis = now;
    }

    /** The cell now; a cell never updated has S = F = 0 and is its prior. */
    public synchronized Evidence evidence(String category, String role) {
        String c = TaskCategory.normalise(category);
        double m0 = priorMean(c, role);
        double n0 = config.priorStrength();
        Map<String, Cell> byRole = cells.get(c);
        Cell cell = byRole == null ? null : byRole.get(role);
        double s = 0;
        double f = 0;
        long updates = 0;
        if (cell != null) {
            double t = timeFactor(cell, clock.getAsLong());
            s = cell.successes * t;
            f = cell.failures * t;
            updates = cell.updates;
        }
        return new Evidence(s, f, updates, m0, n0 * m0 + s, n0 * (1 - m0) + f);
    }

    /** Posterior mean success of {@code role} on {@code category}. */
    public double mean(String category, String role) {
        return evidence(category, role).mean();
    }

    public double variance(String category, String role) {
        return evidence(category, role).variance();
    }

    /** A pessimistic estimate: posterior mean − z·sd, clamped to [0, 1]. */
    public double lowerBound(String category, String role) {
        Evidence e = evidence(category, role);
        return Math.max(0, Math.min(1, e.mean() - config.lowerBoundZ() * Math.sqrt(e.variance())));
    }

    /** A draw from the posterior (Thompson sampling). */
    public synchronized double sample(String category, String role) {
        Evidence e = evidence(category, role);
        return sampleBeta(e.alpha(), e.beta());
    }

    /**
     * Counts one routing decision and, rarely, proposes exploring another role instead of {@code chosen}.
     *
     * @param candidatesCheapestFirst roles that could serve, cheapest (by effective cost) first
     * @param chosen                  what the router picked
     * @param target                  the router's success target
     * @return the role to explore, or empty (the usual case)
     */
    public synchronized Optional<String> explore(String category, List<String> candidatesCheapestFirst, String chosen,
            double target) {
        decisions++;
        double eps = config.explorationRate();
        if (eps <= 0 || candidatesCheapestFirst.size() < 2) {
            return Optional.empty();
        }
        if (random.nextDouble() >= eps || explorations + 1 > eps * decisions) {
            return Optional.empty();
        }
        String firstMeeting = null;
        String best = null;
        double bestDraw = -1;
        for (String role : candidatesCheapestFirst) {
            Evidence e = evidence(category, role);
            double draw = sampleBeta(e.alpha(), e.beta());
            if (firstMeeting == null && draw >= target) {
                firstMeeting = role;
            }
            if (draw > bestDraw) {
                bestDraw = draw;
                best = role;
            }
        }
        String pick = firstMeeting != null ? firstMeeting : best;
        if (pick == null || pick.equals(chosen)) {
            return Optional.empty();
        }
        explorations++;
        return Optional.of(pick);
    }

    public synchronized ExplorationStats explorationStats() {
        return new ExplorationStats(decisions, explorations);
    }

    /** Every cell with data, category → role → evidence (for {@code /admin}). */
    public synchronized Map<String, Map<String, Evidence>> snapshot() {
        Map<String, Map<String, Evidence>> out = new TreeMap<>();
        cells.forEach((c, byRole) -> byRole.keySet().forEach(
                r -> out.computeIfAbsent(c, k -> new TreeMap<>()).put(r, evidence(c, r))));
        return out;
    }

    /** Forgets everything learned (back to priors). */
    public synchronized void reset() {
        cells.clear();
        decisions = 0;
        explorations = 0;
    }

    private double priorMean(String category, String role) {
        double m = prior.mean(category, role);
        if (!Double.isFinite(m)) {
            m = 0.5;
        }
        return Math.max(1e-3, Math.min(1 - 1e-3, m));
    }

    private double timeFactor(Cell cell, long now) {
        long hl = config.halfLife().toMillis();
        if (hl <= 0 || cell.lastMillis == 0 || now <= cell.lastMillis) {
            return 1;
        }
        return Math.pow(0.5, (now - cell.lastMillis) / (double) hl);
    }

    // ------------------------------------------------------------------ sampling

    private double sampleBeta(double a, double b) {
        double x = sampleGamma(a);
        double y = sampleGamma(b);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /** Marsaglia–Tsang; shape &lt; 1 via the boost {@code Gamma(a) = Gamma(a + 1)·U^(1/a)}. */
    private double sampleGamma(double shape) {
        if (shape < 1) {
            double u = random.nextDouble();
            return sampleGamma(shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = random.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = random.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    // ------------------------------------------------------------------ persistence

    /** Writes the learned state to {@code file} atomically; the previous file stays intact if this fails. */
    public void save(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("savedAtMillis", clock.getAsLong());
        ArrayNode arr = root.putArray("cells");
        synchronized (this) {
            root.put("decisions", decisions);
            root.put("explorations", explorations);
            cells.forEach((c, byRole) -> byRole.forEach((r, cell) -> {
                ObjectNode n = arr.addObject();
                n.put("category", c);
                n.put("role", r);
                n.put("successes", cell.successes);
                n.put("failures", cell.failures);
                n.put("updates", cell.updates);
                n.put("lastMillis", cell.lastMillis);
            }));
        }
        byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        writeAtomically(file, bytes);
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + abs + " atomically (" + e.getMessage() + ")", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (dir != null) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException e) {
                // some platforms cannot open or sync a directory; the rename itself is still atomic, only its
                // durability across a power cut is weaker there
                LOG.debugf("cannot sync directory %s after saving %s: %s", dir, abs.getFileName(), e.toString());
            }
        }
    }

    /**
     * Replaces the learned state with {@code file}'s. Never throws: a missing file leaves priors (MISSING); an
     * unreadable or invalid one is logged, moved aside to {@code <file>.corrupt}, and leaves priors (CORRUPT).
     */
    public LoadResult load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            reset();
            return new LoadResult(LoadStatus.MISSING, 0, file + " does not exist; starting from priors");
        } catch (IOException e) {
            return corrupt(file, "cannot be read (" + e + ")");
        }
        Map<String, Map<String, Cell>> read = new TreeMap<>();
        long dec;
        long exp;
        int n = 0;
        try {
            JsonNode root = new ObjectMapper().readTree(new String(bytes, StandardCharsets.UTF_8));
            if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
                throw new IllegalArgumentException("not an " + FORMAT + " file");
            }
            if (root.path("version").asInt(-1) != VERSION) {
                throw new IllegalArgumentException("unsupported version " + root.path("version"));
            }
            dec = nonNegativeLong(root, "decisions");
            exp = nonNegativeLong(root, "explorations");
            JsonNode arr = root.get("cells");
            if (arr == null || !arr.isArray()) {
                throw new IllegalArgumentException("cells must be an array");
            }
            for (JsonNode c : arr) {
                String category = text(c, "category");
                String role = text(c, "role");
                Cell cell = new Cell();
                cell.successes = nonNegative(c, "successes");
                cell.failures = nonNegative(c, "failures");
                cell.updates = nonNegativeLong(c, "updates");
                cell.lastMillis = nonNegativeLong(c, "lastMillis");
                if (read.computeIfAbsent(TaskCategory.normalise(category), k -> new TreeMap<>()).put(role, cell) != null) {
                    throw new IllegalArgumentException("duplicate cell " + category + "/" + role);
                }
                n++;
            }
        } catch (IOException | RuntimeException e) {
            return corrupt(file, e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
        }
        synchronized (this) {
            cells.clear();
            cells.putAll(read);
            decisions = dec;
            explorations = Math.min(exp, dec);
        }
        return new LoadResult(LoadStatus.LOADED, n, "loaded " + n + " skill cells from " + file);
    }

    private LoadResult corrupt(Path file, String why) {
        reset();
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
        String where;
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            where = "moved aside to " + aside;
        } catch (IOException | RuntimeException e) {
            where = "could not be moved aside (" + e + ")";
        }
        String msg = file + " is corrupt: " + why + "; " + where + "; starting from priors";
        LOG.warn(msg);
        return new LoadResult(LoadStatus.CORRUPT, 0, msg);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-empty string");
        }
        return v.asText();
    }

    private static double nonNegative(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber() || !(v.asDouble() >= 0) || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(field + " must be a finite number ≥ 0 (was " + v + ")");
        }
        return v.asDouble();
    }

    private static long nonNegativeLong(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw new IllegalArgumentException(field + " must be an integer ≥ 0 (was " + v + ")");
        }
        return v.asLong();
    }
}
