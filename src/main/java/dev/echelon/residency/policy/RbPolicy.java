package dev.echelon.residency.policy;

import dev.echelon.registry.ResidencyState;
import dev.echelon.registry.VariantSpec;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * vOrchestrate's residency score, per role b:
 *
 * <pre>R(b) = (w1·ρ + w2·λ + w3·κ + w4·ψ) / (α·δ + β·τ)</pre>
 *
 * with every term normalised to [0, 1]:
 * <ul>
 *   <li>ρ, request rate: an exponentially decayed request count over {@value #RATE_WINDOW_SECONDS} s, as a rate r,
 *       squashed as r / (r + r₀) with r₀ = one request a minute (so one a minute scores 0.5);</li>
 *   <li>λ, recency: exp(−(now − last request) / {@value #RECENCY_SECONDS} s);</li>
 *   <li>κ, queue pressure: (queued + in flight) / slots, capped at 1;</li>
 *   <li>ψ, tier priority: A 1, B ⅔, C ⅓;</li>
 *   <li>δ, size: GPU bytes of the role's all-GPU placement (smallest variant) over the GPU budget;</li>
 *   <li>τ, load time: seconds to load that placement from NVMe over the slowest role's.</li>
 * </ul>
 * Weights w = (0.35, 0.25, 0.25, 0.15) (rate first, as in the paper's ordering), α = β = 0.5.
 *
 * <p>Threshold bands map the score to a state: R ≥ 1.5 → S0 (full-precision variant, all layers on the GPU; S1 if
 * the role has none); 0.6 ≤ R &lt; 1.5 → S1 (smallest low-bit variant, all layers); 0.35 ≤ R &lt; 0.6 → S2 (partial
 * offload, as many layers as fit); 0.15 ≤ R &lt; 0.35 → S3 (staged in host RAM); R &lt; 0.15 → S4. A registry pin
 * raises the band to the pin. The bands are applied on every tick, highest score first, within the budgets: a role
 * whose band does not fit beside the roles already placed steps down the ladder (S0 → S1 → S2 → S3 → S4) until it
 * does (pinned roles are placed first, so their floor always finds room). There is no hysteresis and no look-ahead: that is the policy as published, step by step. A request does not
 * act at once; it raises ρ, λ and κ for the next tick.
 */
public final class RbPolicy implements ResidencyPolicy {

    public static final String NAME = "rb";
    static final double RATE_WINDOW_SECONDS = 60;
    static final double RECENCY_SECONDS = 120;
    static final double R0_PER_SECOND = 1.0 / 60;
    static final double W1 = 0.35;
    static final double W2 = 0.25;
    static final double W3 = 0.25;
    static final double W4 = 0.15;
    static final double ALPHA = 0.5;
    static final double BETA = 0.5;
    /** Lower score bounds of the bands S0, S1, S2, S3 (below the last: S4). */
    public static final double BAND_S0 = 1.5;
    public static final double BAND_S1 = 0.6;
    public static final double BAND_S2 = 0.35;
    public static final double BAND_S3 = 0.15;

    private final ResidencyModel model;
    private final Map<String, Double> decayedCount = new LinkedHashMap<>();
    private final Map<String, Double> countAt = new LinkedHashMap<>();
    private final Map<String, Double> lastUse = new LinkedHashMap<>();
    private final Map<String, Double> denominator = new LinkedHashMap<>();
    private final Map<String, Double> lastScore = new LinkedHashMap<>();
    private Placement target;

    public RbPolicy(ResidencyModel model) {
        this.model = model;
        this.target = model.initialPlacement();
        double maxLoad = 0;
        Map<String, Double> load = new LinkedHashMap<>();
        Map<String, Double> size = new LinkedHashMap<>();
        for (ResidentRole r : model.roles().values()) {
            VariantSpec v = r.smallestVariant();
            RolePlacement gpu = ResidencyModel.placementFor(v, v.layers());
            size.put(r.name(), (double) model.footprint(r.name(), gpu).gpuBytes() / Math.max(1, model.budgets().gpuBytes()));
            double seconds = model.transitionSeconds(r.name(), RolePlacement.cold(v.name()), gpu);
            load.put(r.name(), seconds);
            maxLoad = Math.max(maxLoad, seconds);
        }
        for (String role : model.roles().keySet()) {
            denominator.put(role, ALPHA * size.get(role) + BETA * load.get(role) / maxLoad);
            decayedCount.put(role, 0.0);
            countAt.put(role, 0.0);
            lastUse.put(role, Double.NEGATIVE_INFINITY);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision onRequest(Observation now, String role) {
        decayTo(role, now.nowSeconds());
        decayedCount.merge(role, 1.0, Double::sum);
        lastUse.put(role, now.nowSeconds());
        return Decision.keep(target, "rb: request counted; bands apply on the tick");
    }

    @Override
    public Decision onTick(Observation now) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (String role : model.roles().keySet()) {
            scores.put(role, score(now, role));
        }
        lastScore.clear();
        lastScore.putAll(scores);
        List<String> order = new ArrayList<>(scores.keySet());
        // pinned roles first (their floor must find room), then highest score first; roles not yet placed count
        // as cold while the ones before them are fitted
        order.sort(Comparator.comparing((String r) -> model.role(r).pin().isEmpty())
                .thenComparingDouble(r -> -scores.get(r)));
        Placement next = target.map((r, p) -> RolePlacement.cold(p.variant()));
        for (String role : order) {
            next = next.with(role, placeInBand(next, role, band(scores.get(role), role)));
        }
        target = next;
        return Decision.keep(target, "rb: bands " + bands(scores));
    }

    /** The state the score's band asks for, raised to the role's pin. */
    ResidencyState band(double score, String role) {
        ResidencyState s = score >= BAND_S0 ? ResidencyState.S0 : score >= BAND_S1 ? ResidencyState.S1
                : score >= BAND_S2 ? ResidencyState.S2 : score >= BAND_S3 ? ResidencyState.S3 : ResidencyState.S4;
        Optional<ResidencyState> pin = model.role(role).pin();
        return pin.isPresent() && pin.get().ordinal() < s.ordinal() ? pin.get() : s;
    }

    /** The role at {@code band}, stepped down the ladder until it fits beside what is already in {@code placed}. */
    private RolePlacement placeInBand(Placement placed, String role, ResidencyState band) {
        ResidentRole r = model.role(role);
        List<RolePlacement> ladder = new ArrayList<>();
        if (band == ResidencyState.S0) {
            r.variants().stream().filter(v -> !v.lowBit()).findFirst()
                    .ifPresent(v -> ladder.add(ResidencyModel.placementFor(v, v.layers())));
        }
        VariantSpec small = r.smallestVariant();
        if (band.ordinal() <= ResidencyState.S1.ordinal()) {
            ladder.add(ResidencyModel.placementFor(small, small.layers()));
        }
        if (band.ordinal() <= ResidencyState.S2.ordinal()) {
            for (int k = small.layers() - 1; k >= 1; k--) {
                ladder.add(RolePlacement.gpu(ResidencyState.S2, small.name(), k));
            }
        }
        if (band.ordinal() <= ResidencyState.S3.ordinal()) {
            ladder.add(RolePlacement.cpu(small.name()));
        }
        ladder.add(RolePlacement.cold(small.name()));
        for (RolePlacement p : ladder) {
            if (model.admissible(role, p) && model.fits(placed.with(role, p))) {
                return p;
            }
        }
        // only a pinned role can get here (S4 is inadmissible for it): ask for its floor; the simulator refuses
        return ladder.stream().filter(p -> model.admissible(role, p)).reduce((a, b) -> b).orElse(ladder.get(0));
    }

    double score(Observation now, String role) {
        double t = now.nowSeconds();
        decayTo(role, t);
        double rate = decayedCount.get(role) / RATE_WINDOW_SECONDS;
        double rho = rate / (rate + R0_PER_SECOND);
        double lambda = Double.isInfinite(lastUse.get(role)) ? 0 : Math.exp(-(t - lastUse.get(role)) / RECENCY_SECONDS);
        ResidentRole r = model.role(role);
        double kappa = Math.min(1.0, (double) (now.queued(role) + now.inFlight(role))
                / r.slots());
        double psi = r.priority() / 3.0;
        return (W1 * rho + W2 * lambda + W3 * kappa + W4 * psi) / denominator.get(role);
    }

    private void decayTo(String role, double t) {
        double dt = t - countAt.get(role);
        if (dt > 0) {
            decayedCount.put(role, decayedCount.get(role) * Math.exp(-dt / RATE_WINDOW_SECONDS));
            countAt.put(role, t);
        }
    }

    private String bands(Map<String, Double> scores) {
        StringBuilder sb = new StringBuilder();
        scores.forEach((r, s) -> sb.append(r).append(String.format("=%.2f→%s ", s, target.stateOf(r))));
        return sb.toString().trim();
    }

    @Override
    public Map<String, Object> explain() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scores", new LinkedHashMap<>(lastScore));
        m.put("bands", Map.of("S0", BAND_S0, "S1", BAND_S1, "S2", BAND_S2, "S3", BAND_S3));
        m.put("target", target.toString());
        return m;
    }
}
