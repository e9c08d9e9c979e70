package dev.echelon.residency.policy;

import dev.echelon.residency.Decision;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.RolePlacement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * llama.cpp's router mode ({@code llama-server --models-max 4}): a model is loaded when a request names it and is
 * not loaded, with the launch arguments configured for it (here: the registry's launch settings, {@link
 * Loads#launch}); when more than {@code maxLoaded} models are loaded, the least recently used one is unloaded.
 *
 * <p>The router counts models; it does not look at memory. On a real GPU a load that does not fit fails with an
 * out-of-memory error and the user lowers {@code --models-max} until it stops happening. The simulator refuses
 * over-budget placements, so this policy models the only behaviour that avoids the OOM: the load keeps unloading
 * further least-recently-used models until the new one fits (what OOM-avoidance forces). A model that cannot fit
 * even alone is loaded anyway and the simulator refuses it. Roles pinned by the registry are never unloaded
 * (Echelon's pin, not llama.cpp's: the router would unload them, but no placement below the pin is admissible).
 * Nothing happens on a tick except enforcing the count (the router has no timer). The router starts with no model
 * loaded: every role but the pinned ones is unloaded by the first decision and loads on its first request.
 */
public final class CountLruPolicy implements ResidencyPolicy {

    public static final String NAME = "count-lru";
    public static final int DEFAULT_MAX_LOADED = 4;

    private final ResidencyModel model;
    private final int maxLoaded;
    private final Recency recency;
    private Placement target;
    private String lastCause = "start: launch placement";

    public CountLruPolicy(ResidencyModel model) {
        this(model, DEFAULT_MAX_LOADED);
    }

    public CountLruPolicy(ResidencyModel model, int maxLoaded) {
        if (maxLoaded < 1) {
            throw new IllegalArgumentException("maxLoaded must be >= 1: " + maxLoaded);
        }
        this.model = model;
        this.maxLoaded = maxLoaded;
        this.recency = new Recency(List.copyOf(model.roles().keySet()));
        this.target = Loads.startEmpty(model);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Decision onRequest(Observation now, String role) {
        recency.touch(role, now.nowSeconds());
        load(role);
        return Decision.keep(target, "count-lru: " + lastCause);
    }

    private void load(String role) {
        if (!target.of(role).running()) {
            target = target.with(role, Loads.launch(model, role));
            lastCause = "load " + role;
        }
        List<String> evicted = new ArrayList<>(enforceCount(role));
        while (!model.fits(target)) {
            Placement wanted = target;
            String victim = lruLoaded(role, r -> Loads.freesWhatIsShort(model, wanted, r));
            if (victim == null) {
                break;
            }
            evict(victim);
            evicted.add(victim);
        }
        if (!evicted.isEmpty()) {
            lastCause = "load " + role + ", unload LRU " + evicted;
        }
    }

    @Override
    public Decision onTick(Observation now) {
        List<String> evicted = enforceCount(null);
        if (!evicted.isEmpty()) {
            lastCause = "over --models-max " + maxLoaded + ": unload LRU " + evicted;
        }
        retryPending(now);
        return Decision.keep(target, "count-lru: " + lastCause);
    }

    /** The router holds a request whose model is not loaded until it is ({@link Loads#retryPending}). */
    private void retryPending(Observation now) {
        String cause = lastCause;
        Loads.retryPending(now, () -> target, this::load, before -> {
            target = before; // wait for the busy ones to finish
            lastCause = cause;
        });
    }

    private List<String> enforceCount(String keep) {
        List<String> evicted = new ArrayList<>();
        while (loadedCount() > maxLoaded) {
            String victim = lruLoaded(keep, r -> true);
            if (victim == null) {
                break;
            }
            evict(victim);
            evicted.add(victim);
        }
        return evicted;
    }

    private long loadedCount() {
        return target.roles().values().stream().filter(RolePlacement::running).count();
    }

    /** The least recently used loaded role that may be unloaded, other than {@code keep}; null if none. */
    private String lruLoaded(String keep, Predicate<String> useful) {
        return target.roles().keySet().stream()
                .filter(r -> !r.equals(keep) && target.of(r).running() && Loads.evictable(model, r))
                .filter(useful)
                .min(recency.oldestFirst()).orElse(null);
    }

    private void evict(String role) {
        target = target.with(role, Loads.evicted(model, role, target.of(role)).orElseThrow());
    }

    @Override
    public Map<String, Object> explain() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("models_max", maxLoaded);
        m.put("last_use", recency.explain());
        m.put("target", target.toString());
        return m;
    }
}
