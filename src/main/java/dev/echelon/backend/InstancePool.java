package dev.echelon.backend;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every backend instance, by role. It knows which instances are up and how busy they are; it does not decide who
 * waits (that is admission, in the pipeline) nor what runs where (the residency controller).
 */
public final class InstancePool {

    private final Map<String, List<PooledInstance>> byRole = new LinkedHashMap<>();
    private final Map<String, PooledInstance> byId = new LinkedHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    public InstancePool(List<PooledInstance> instances) {
        for (PooledInstance i : instances) {
            byRole.computeIfAbsent(i.role(), r -> new CopyOnWriteArrayList<>()).add(i);
            byId.put(i.id(), i);
        }
    }

    public List<PooledInstance> of(String role) {
        return byRole.getOrDefault(role, List.of());
    }

    public Optional<PooledInstance> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Completes once instance {@code id} has no request in flight (at once for an id the pool does not hold). */
    public CompletableFuture<Void> idle(String id) {
        PooledInstance i = byId.get(id);
        return i == null ? CompletableFuture.completedFuture(null) : i.idle();
    }

    /**
     * The best status among a role's instances: READY if any is ready, else WARMING if any warms up, else COLD if the
     * residency controller holds any, else DOWN.
     */
    public InstanceStatus status(String role) {
        InstanceStatus best = InstanceStatus.DOWN;
        for (PooledInstance i : of(role)) {
            InstanceStatus s = i.status();
            if (s.ordinal() < best.ordinal()) {
                best = s;
            }
        }
        return best;
    }

    /** Called with a role's name whenever one of its instances changes state. */
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Tells the listeners that an instance of {@code role} changed state (the supervisor's events arrive here). */
    public void changed(String role) {
        listeners.forEach(l -> l.accept(role));
    }
}
