package dev.echelon.backend;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One backend instance as the request path sees it: its client (with the role's timeouts), how many requests it
 * decodes at once (llama-server's {@code -np} slots), how many it is running now, and whether it is up.
 */
public final class PooledInstance {

    private final String id;
    private final String role;
    private final int slots;
    private final LlamaServerClient client;
    private final Supplier<InstanceStatus> status;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<CompletableFuture<Void>> idleWaiters = new CopyOnWriteArrayList<>();

    public PooledInstance(String id, String role, int slots, LlamaServerClient client,
            Supplier<InstanceStatus> status) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1: " + slots);
        }
        this.id = id;
        this.role = role;
        this.slots = slots;
        this.client = client;
        this.status = status;
    }

    public String id() {
        return id;
    }

    public String role() {
        return role;
    }

    public int slots() {
        return slots;
    }

    public LlamaServerClient client() {
        return client;
    }

    public InstanceStatus status() {
        return status.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Takes a slot if one is free. */
    public boolean tryAcquire() {
        while (true) {
            int n = inFlight.get();
            if (n >= slots) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        if (inFlight.decrementAndGet() == 0) {
            wakeIdleWaiters();
        }
    }

    /**
     * Completes once no request is in flight here: at once if none is, else when the last one is released. Whoever
     * waits must have stopped new requests from reaching it (a relaunching instance is not READY).
     */
    public CompletableFuture<Void> idle() {
        CompletableFuture<Void> idle = new CompletableFuture<>();
        idleWaiters.add(idle);
        if (inFlight.get() == 0) { // a release between the add and this check has completed it too: harmless
            wakeIdleWaiters();
        }
        return idle;
    }

    private void wakeIdleWaiters() {
        for (CompletableFuture<Void> w : idleWaiters) {
            idleWaiters.remove(w);
            w.complete(null);
        }
    }

    @Override
    public String toString() {
        return id + "(" + role + ", " + inFlight.get() + "/" + slots + ", " + status() + ")";
    }
}
