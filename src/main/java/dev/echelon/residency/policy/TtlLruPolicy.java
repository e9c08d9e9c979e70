package dev.echelon.residency.policy;

import dev.echelon.registry.VariantSpec;
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
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Ollama's scheduler with its defaults: {@code OLLAMA_KEEP_ALIVE=5m}, {@code OLLAMA_MAX_LOADED_MODELS=3}.
 *
 * <ul>
 *   <li>A request for a model that is not loaded loads it. Ollama is memory-aware: it first unloads least recently
 *       used models (never the requested one) until the new one fits entirely in GPU memory; if it does not fit even
 *       with every other unloadable model gone, it loads it partially offloaded, with as many GPU layers as fit
 *       (Ollama's automatic {@code num_gpu}), or on the CPU when no layer fits. The variant is the one the user
 *       pulled: the registry's launch variant.</li>
 *   <li>At most {@code maxLoaded} models are loaded; loading one more unloads the least recently used.</li>
 *   <li>A model idle for {@code keepAlive} seconds is unloaded (on the tick). Its timer restarts with each request
 *       and while requests for it are in flight or queued, as Ollama's session reference count does.</li>
 *   <li>Unloading means the runner exits: the role goes to S4. A role pinned by the registry is never unloaded.</li>
 * </ul>
 * Ollama starts with no model loaded: here every role but the pinned ones (kept at their launch placement) is
 * unloaded by the first decision, and loads on its first request. Ollama would never unload a runner with requests
 * in flight; here the simulator enforces that for every policy (a busy role drains before it is demoted).
 */
public final class TtlLruPolicy implements ResidencyPolicy {

    public static final String NAME = "ttl-lru";
    public static final double DEFAULT_KEEP_ALIVE_SECONDS = 300;
    public static final int DEFAULT_MAX_LOADED = 3;

    private final ResidencyModel model;
    private final double keepAliveSeconds;
    private final int maxLoaded;
    private final Recency recency;
    private Placement target;
    private String lastCause = "start: launch placement";

    public TtlLruPolicy(ResidencyModel model) {
        this(model, DEFAULT_KEEP_ALIVE_SECONDS, DEFAULT_MAX_LOADED);
    }

    public TtlLruPolicy(ResidencyModel model, double keepAliveSeconds, int maxLoaded) {
        if (keepAliveSeconds <= 0 || maxLoaded < 1) {
            throw new IllegalArgumentException("keep-alive must be > 0 and max loaded >= 1");
        }
        this.model = model;
        this.keepAliveSeconds = keepAliveSeconds;
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
        if (!target.of(role).running()) {
            load(role);
        }
        return Decision.keep(target, "ttl-lru: " + lastCause);
    }

    @Override
    public Decision onTick(Observation now) {
        List<String> expired = new ArrayList<>();
        for (String role : target.roles().keySet()) {
            if (now.busy(role)) {
                recency.touch(role, now.nowSeconds());
            } else if (target.of(role).running() && Loads.evictable(model, role)
                    && now.nowSeconds() - recency.lastUse(role) >= keepAliveSeconds) {
                evict(role);
                expired.add(role);
            }
        }
        List<String> overCount = enforceCount(null, maxLoaded);
        retryPending(now);
        if (!expired.isEmpty() || !overCount.isEmpty()) {
            lastCause = (expired.isEmpty() ? "" : "keep-alive expired " + expired + " ")
                    + (overCount.isEmpty() ? "" : "over max loaded: unload LRU " + overCount);
        }
        return Decision.keep(target, "ttl-lru: " + lastCause);
    }

    /**
     * Ollama keeps a request whose model it could not load yet pending and retries it as runners free up
     * ({@link Loads#retryPending}).
     */
    private void retryPending(Observation now) {
        String cause = lastCause;
        Loads.retryPending(now, () -> target, this::load, before -> {
            target = before; // wait for the busy ones to finish
            lastCause = cause;
        });
    }

    private void load(String role) {
        VariantSpec variant = Loads.launchVariant(model, role);
        List<String> evicted = new ArrayList<>(enforceCount(role, maxLoaded - 1));
        Placement without = target.with(role, RolePlacement.cold(variant.name()));
        RolePlacement full = ResidencyModel.placementFor(variant, variant.layers());
        // unload LRU models until the whole model fits in GPU memory, or nothing else can go
        while (!model.fits(without.with(role, full))) {
            Placement wanted = without.with(role, full);
            String victim = lruLoaded(role, r -> Loads.freesWhatIsShort(model, wanted, r));
            if (victim == null) {
                break;
            }
            evict(victim);
            evicted.add(victim);
            without = target.with(role, RolePlacement.cold(variant.name()));
        }
        Optional<RolePlacement> p = Loads.mostGpuLayersThatFit(model, without, role, variant);
        target = target.with(role, p.orElse(full)); // nothing fits at all: ask anyway; the simulator refuses it
        lastCause = "load " + role + " as " + target.of(role) + (evicted.isEmpty() ? "" : ", unload LRU " + evicted);
    }

    /** Unloads LRU roles (other than {@code keep}) until at most {@code max} other roles are loaded. */
    private List<String> enforceCount(String keep, int max) {
        List<String> evicted = new ArrayList<>();
        while (target.roles().entrySet().stream().filter(e -> !e.getKey().equals(keep) && e.getValue().running())
                .count() > max) {
            String victim = lruLoaded(keep, r -> true);
            if (victim == null) {
                break;
            }
            evict(victim);
            evicted.add(victim);
        }
        return evicted;
    }

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
        m.put("keep_alive_s", keepAliveSeconds);
        m.put("max_loaded", maxLoaded);
        m.put("last_use", recency.explain());
        m.put("target", target.toString());
        return m;
    }
}
