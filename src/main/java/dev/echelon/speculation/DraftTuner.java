package dev.echelon.speculation;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * Chooses draft lengths from measured acceptance. Per role and task category it estimates α
 * ({@link AcceptanceEstimate}); per role and concurrency level, the relative cost c of a draft token
 * ({@link PassCost}); the best length is then k* = argmax (1 − α^(k+1)) / ((1 − α)(k·c + 1)), and 0 — no drafting —
 * where no length beats plain decoding (low acceptance, or a busy instance where drafting costs more).
 *
 * <p>Two ways to apply it, after what the server honours:
 * <ul>
 *   <li>{@link #perRequest}: a server that honours {@code speculative.n_max} gets each request's length from its
 *       category. Every {@link Settings#explorePeriod}-th request of a category tries a neighbouring length, so that
 *       pass cost and draft cost stay separately measurable (with one length only, they are not).</li>
 *   <li>{@link #perInstance}: a server that ignores the field (llama-server v0.5.0) drafts what its flags say, so one
 *       length must serve the role's whole mix: the length minimising the traffic-weighted time per token. A change
 *       costs a restart, so it is proposed only when it saves at least {@link Settings#retuneGain} and the last one
 *       is {@link Settings#retuneIntervalMs} old (hysteresis); a role whose drafting was turned off is tried again
 *       after {@link Settings#offRetryMs}.</li>
 * </ul>
 * Thread-safe: calls are serialised.
 */
public final class DraftTuner {

    /**
     * @param kMax              longest draft considered
     * @param minEvidence       draft tokens a category needs before its own α is trusted (before that, the role's
     *                          pooled α, then the registry's length)
     * @param decay             weight kept by the past at each new generation (0.97: about the last 30 count)
     * @param explorePeriod     every n-th per-request choice of a category tries a neighbouring length (0: never)
     * @param retuneGain        relative saving in time per token a per-instance change must promise
     * @param retuneIntervalMs  least time between two per-instance changes of a role
     * @param offRetryMs        how long drafting stays off before it is measured again
     */
    public record Settings(int kMax, double minEvidence, double decay, int explorePeriod, double retuneGain,
            long retuneIntervalMs, long offRetryMs) {

        public static final Settings DEFAULTS = new Settings(16, 48, 0.97, 8, 0.08, 60_000, 600_000);

        public Settings {
            if (kMax < 1 || minEvidence < 0 || !(decay > 0 && decay <= 1) || explorePeriod < 0 || retuneGain < 0
                    || retuneIntervalMs < 0 || offRetryMs < 0) {
                throw new IllegalArgumentException("invalid draft tuner settings: " + this);
            }
        }
    }

    /** A draft length for one request; 0 means do not draft. */
    public record Choice(int nMax, double alpha, double ratio, double predictedSpeedup, String reason) {
    }

    /** A new draft length for a role's servers (0: turn drafting off), and the saving it promises. */
    public record Retune(int nMax, double predictedGain, String reason) {
    }

    private final Settings settings;
    private final ToDoubleFunction<String> priorRatio;
    private final ToIntFunction<String> defaultLength;
    private final Map<String, AcceptanceEstimate> byCategory = new HashMap<>();
    private final Map<String, AcceptanceEstimate> byRole = new HashMap<>();
    private final Map<String, PassCost> costs = new HashMap<>();
    private final Map<String, Integer> choices = new HashMap<>();
    private final Map<String, Long> lastRetune = new HashMap<>();
    private final Map<String, Integer> lastChosen = new HashMap<>();

    /**
     * @param priorRatio    per role: the prior for c (see {@link PassCost})
     * @param defaultLength per role: the length to use before anything is measured (the registry's n_max)
     */
    public DraftTuner(Settings settings, ToDoubleFunction<String> priorRatio, ToIntFunction<String> defaultLength) {
        this.settings = settings;
        this.priorRatio = priorRatio;
        this.defaultLength = defaultLength;
    }

    public Settings settings() {
        return settings;
    }

    /** Learns from one generation of {@code role} for {@code category}. */
    public synchronized void record(String role, String category, DraftSample sample) {
        byCategory.computeIfAbsent(key(role, category), k -> new AcceptanceEstimate(settings.decay())).add(sample);
        byRole.computeIfAbsent(role, k -> new AcceptanceEstimate(settings.decay())).add(sample);
        cost(role, sample.concurrent()).add(sample);
        cost(role, 0).add(sample);
    }

    /** The draft length for one request of {@code category} on a server that honours per-request lengths. */
    public synchronized Choice perRequest(String role, String category, int concurrent) {
        Optional<Double> alpha = alpha(role, category);
        PassCost cost = cost(role, concurrent).known() ? cost(role, concurrent) : cost(role, 0);
        double c = cost.ratio();
        if (alpha.isEmpty()) {
            int k = defaultLength.applyAsInt(role);
            return new Choice(k, Double.NaN, c, Double.NaN, "no acceptance measured yet: registry length " + k);
        }
        double a = alpha.get();
        int best = AcceptanceMath.bestLength(a, c, settings.kMax());
        int n = choices.merge(key(role, category), 1, Integer::sum);
        int k = best;
        String why = "k* for α " + round(a) + ", c " + round(c);
        if (settings.explorePeriod() > 0 && n % settings.explorePeriod() == 0) {
            // a neighbouring length keeps drafted-per-pass varied, so pass and draft costs stay separable, and a
            // role whose drafting loses keeps being measured at length 1
            int step = (n / settings.explorePeriod()) % 2 == 0 ? 2 : -1;
            k = Math.max(1, Math.min(settings.kMax(), best + step));
            why = "exploring " + k + " beside " + why;
        }
        return new Choice(k, a, c, AcceptanceMath.speedup(a, k, c), why);
    }

    /**
     * A new draft length for the servers of {@code role}, which ignore per-request lengths and now draft
     * {@code currentK} (0 when drafting is off) — or empty when the current one should stay.
     */
    public synchronized Optional<Retune> perInstance(String role, int currentK, long nowMs) {
        Long last = lastRetune.get(role);
        if (last != null && nowMs - last < settings.retuneIntervalMs()) {
            return Optional.empty();
        }
        if (currentK == 0 && last != null && lastChosen.getOrDefault(role, -1) == 0) {
            if (nowMs - last < settings.offRetryMs()) {
                return Optional.empty();
            }
            // drafting off teaches nothing about acceptance: after a while, measure again with a short draft
            return Optional.of(remember(role, nowMs, new Retune(2, Double.NaN,
                    "drafting has been off for " + (nowMs - last) / 1000 + " s: measuring acceptance again")));
        }
        Map<Double, Double> mix = mix(role);
        if (mix.isEmpty()) {
            return Optional.empty();
        }
        double c = cost(role, 0).ratio();
        int best = 0;
        double bestTime = relativeTimePerToken(mix, 0, c);
        for (int k = 1; k <= settings.kMax(); k++) {
            double t = relativeTimePerToken(mix, k, c);
            if (t < bestTime - 1e-12) {
                best = k;
                bestTime = t;
            }
        }
        double gain = relativeTimePerToken(mix, currentK, c) / bestTime - 1;
        if (best == currentK || gain < settings.retuneGain()) {
            return Optional.empty();
        }
        String why = String.format(java.util.Locale.ROOT, "%s for the mix %s at c %.3f: %.0f %% less time per token",
                best == 0 ? "drafting off" : "draft length " + currentK + " → " + best, describe(mix), c, gain * 100);
        return Optional.of(remember(role, nowMs, new Retune(best, gain, why)));
    }

    private Retune remember(String role, long nowMs, Retune r) {
        lastRetune.put(role, nowMs);
        lastChosen.put(role, r.nMax());
        return r;
    }

    /** Per measured category of the role: α → its share of the role's generated tokens. */
    private Map<Double, Double> mix(String role) {
        Map<Double, Double> mix = new LinkedHashMap<>();
        double total = 0;
        String prefix = role + '\u0000';
        for (Map.Entry<String, AcceptanceEstimate> e : byCategory.entrySet()) {
            if (!e.getKey().startsWith(prefix) || e.getValue().drafted() < settings.minEvidence()) {
                continue;
            }
            mix.merge(e.getValue().alpha(), e.getValue().tokens(), Double::sum);
            total += e.getValue().tokens();
        }
        if (total <= 0) {
            return Map.of();
        }
        final double sum = total;
        mix.replaceAll((a, w) -> w / sum);
        return mix;
    }

    /** Time per token relative to a plain pass: Σ share · (1 + k·c) / tokensPerPass(α, k). */
    private static double relativeTimePerToken(Map<Double, Double> mix, int k, double c) {
        double t = 0;
        for (Map.Entry<Double, Double> e : mix.entrySet()) {
            t += e.getValue() / AcceptanceMath.speedup(e.getKey(), k, c);
        }
        return t;
    }

    private Optional<Double> alpha(String role, String category) {
        AcceptanceEstimate own = byCategory.get(key(role, category));
        if (own != null && own.drafted() >= settings.minEvidence()) {
            return Optional.of(own.alpha());
        }
        AcceptanceEstimate pooled = byRole.get(role);
        if (pooled != null && pooled.drafted() >= settings.minEvidence()) {
            return Optional.of(pooled.alpha());
        }
        return Optional.empty();
    }

    /** Concurrency levels 1, 2 and 3-or-more are learnt apart; 0 pools them. */
    private PassCost cost(String role, int concurrent) {
        int bucket = Math.min(Math.max(concurrent, 0), 3);
        return costs.computeIfAbsent(role + '\u0000' + bucket,
                k -> new PassCost(settings.decay(), priorRatio.applyAsDouble(role)));
    }

    /** Measured α per category, c per role and the speedup each category gets at its best length. */
    public synchronized Map<String, Object> explain() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, AcceptanceEstimate> e : byCategory.entrySet()) {
            String[] rc = e.getKey().split("\u0000", 2);
            AcceptanceEstimate est = e.getValue();
            double c = cost(rc[0], 0).ratio();
            double a = est.alpha();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alpha", round(a));
            m.put("draft_tokens", Math.round(est.drafted()));
            m.put("accepted_per_pass", est.passes() > 0 ? round(est.acceptedTokens() / est.passes()) : null);
            m.put("c", round(c));
            int k = Double.isNaN(a) ? 0 : AcceptanceMath.bestLength(a, c, settings.kMax());
            m.put("best_n_max", k);
            m.put("predicted_speedup", Double.isNaN(a) ? null : round(AcceptanceMath.speedup(a, k, c)));
            @SuppressWarnings("unchecked")
            Map<String, Object> role = (Map<String, Object>) out.computeIfAbsent(rc[0], r -> new LinkedHashMap<>());
            role.put(rc[1], m);
        }
        return out;
    }

    /** The measured α of a role's category, if there is enough evidence (for telemetry and tests). */
    public synchronized Optional<Double> measuredAlpha(String role, String category) {
        AcceptanceEstimate own = byCategory.get(key(role, category));
        return own != null && own.drafted() >= settings.minEvidence() ? Optional.of(own.alpha()) : Optional.empty();
    }

    /**
     * The α of a role's draft pooled over its categories, weighted by their draft tokens, once there is enough
     * evidence: what the residency planner prices the role's decoding with.
     */
    public synchronized Optional<Double> measuredAlpha(String role) {
        AcceptanceEstimate pooled = byRole.get(role);
        return pooled != null && pooled.drafted() >= settings.minEvidence() ? Optional.of(pooled.alpha())
                : Optional.empty();
    }

    /** The measured relative draft cost c of a role. */
    public synchronized double measuredRatio(String role) {
        return cost(role, 0).ratio();
    }

    private static String describe(Map<Double, Double> mix) {
        StringBuilder sb = new StringBuilder();
        mix.forEach((a, w) -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(String.format(java.util.Locale.ROOT, "α %.2f × %.0f %%", a, w * 100)));
        return "[" + sb + "]";
    }

    private static String key(String role, String category) {
        return role + '\u0000' + (category == null ? "" : category);
    }

    private static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
    }
}
