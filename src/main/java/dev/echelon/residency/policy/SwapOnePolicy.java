package dev.echelon.residency.policy;

import dev.echelon.registry.Tier;
import dev.echelon.registry.VariantSpec;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.RolePlacement;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * llama-swap configured the way its README suggests for a single GPU: the front door in a group with
 * {@code persistent: true} (never swapped out; here the tier-A roles, kept at their launch placement), and every
 * other model in one group with {@code swap: true}, so exactly one of them runs at a time. A request for a model of
 * the swap group that is not running stops the running one (S4) and starts the requested one.
 *
 * <p>Each model has its own {@code cmd} in llama-swap's config. Since a swapped-in model has the GPU to itself
 * (beside the persistent group), its user gives it all the layers that fit: the launch variant with every layer on
 * the GPU if that fits beside the persistent group, else the most layers that do ({@code -ngl N} tuned by hand).
 * At start the persistent group runs and the swap group is empty (llama-swap starts models on first request).
 */
public final class SwapOnePolicy implements ResidencyPolicy {

    public static final String NAME = "swap-one";

    private final ResidencyModel model;
    private final Set<String> persistent;
    private final Map<String, RolePlacement> swapIn = new LinkedHashMap<>();
    private Placement target;
    private String running;

    public SwapOnePolicy(ResidencyModel model) {
        this.model = model;
        this.persistent = model.roles().values().stream().filter(r -> r.tier() == Tier.A || !Loads.evictable(model,
                r.name())).map(r -> r.name()).collect(Collectors.toUnmodifiableSet());
        Placement start = model.initialPlacement().map((role, p) -> persistent.contains(role)
                ? Loads.launch(model, role) : RolePlacement.cold(p.variant()));
        this.target = start;
        for (String role : model.roles().keySet()) {
            if (!persistent.contains(role)) {
                VariantSpec v = Loads.launchVariant(model, role);
                swapIn.put(role, Loads.mostGpuLayersThatFit(model, start, role, v)
                        .orElse(ResidencyModel.placementFor(v, v.layers())));
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The roles of the persistent group (never swapped). */
    public Set<String> persistent() {
        return persistent;
    }

    @Override
    public Decision onRequest(Observation now, String role) {
        if (!persistent.contains(role) && !role.equals(running)) {
            String previous = running;
            if (previous != null) {
                target = target.with(previous, RolePlacement.cold(target.of(previous).variant()));
            }
            target = target.with(role, swapIn.get(role));
            running = role;
            return Decision.keep(target, "swap-one: swap " + (previous == null ? "in " : previous + " → ") + role);
        }
        return Decision.keep(target, "swap-one: " + (running == null ? "swap group empty" : running + " running"));
    }

    /**
     * llama-swap serves requests in turn: a request whose model was swapped out before it ever ran (another request
     * arrived right behind it) waits for the running model to finish, then swaps its own in.
     */
    @Override
    public Decision onTick(Observation now) {
        if (running == null || !now.busy(running)) {
            for (String role : swapIn.keySet()) {
                if (!role.equals(running) && now.queued(role) > 0) {
                    Decision d = onRequest(now, role);
                    return Decision.keep(d.target(), d.cause() + " (pending request)");
                }
            }
        }
        return Decision.keep(target, "swap-one: " + (running == null ? "swap group empty" : running + " running"));
    }

    @Override
    public Map<String, Object> explain() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("persistent", List.copyOf(persistent));
        m.put("running", running == null ? "none" : running);
        m.put("swap_in", swapIn.toString());
        return m;
    }
}
