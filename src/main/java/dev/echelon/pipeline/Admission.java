package dev.echelon.pipeline;

import dev.echelon.backend.InstancePool;
import dev.echelon.backend.InstanceStatus;
import dev.echelon.backend.PooledInstance;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The admit step's backpressure: per role, as many requests run as its ready instances have slots; up to
 * {@code maxQueue} more wait in order; one more is refused at once with 429 and a Retry-After. A role whose
 * instances are all down is refused with 503; one that is loading is waited for up to its load timeout; one that the
 * residency controller holds cold or is moving is waited for up to the residency wait bound.
 */
public final class Admission {

    private static final Logger LOG = Logger.getLogger(Admission.class);

    private final InstancePool pool;
    private final int maxQueue;
    private final long maxQueueWaitMs;
    private final ToLongFunction<String> loadTimeoutMs;
    private final ScheduledExecutorService timers;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private final java.util.function.Predicate<String> usable;
    private final long coldWaitMs;

    /** @param usable whether an instance may take requests now (its circuit breaker is not open) */
    public Admission(InstancePool pool, int maxQueue, long maxQueueWaitMs, ToLongFunction<String> loadTimeoutMs,
            ScheduledExecutorService timers, java.util.function.Predicate<String> usable) {
        this(pool, maxQueue, maxQueueWaitMs, loadTimeoutMs, maxQueueWaitMs, timers, usable);
    }

    /**
     * @param coldWaitMs how long a request waits for a role the residency controller holds ({@link InstanceStatus#COLD}:
     *                   on NVMe only, moving, or held by a decision) before it expires with 503 (and the pipeline
     *                   tries the fallback)
     */
    public Admission(InstancePool pool, int maxQueue, long maxQueueWaitMs, ToLongFunction<String> loadTimeoutMs,
            long coldWaitMs, ScheduledExecutorService timers, java.util.function.Predicate<String> usable) {
        this.usable = usable;
        this.coldWaitMs = coldWaitMs;
        this.pool = pool;
        this.maxQueue = maxQueue;
        this.maxQueueWaitMs = maxQueueWaitMs;
        this.loadTimeoutMs = loadTimeoutMs;
        this.timers = timers;
        pool.onChange(role -> lane(role).dispatch());
    }

    /** A request's place in line: done at once when a slot was free. */
    public static final class Ticket {
        final CompletableFuture<Lease> lease = new CompletableFuture<>();
        final long enqueuedNanos = System.nanoTime();
        volatile ScheduledFuture<?> timeout;
        final boolean loading;
        final boolean bound;

        Ticket(boolean loading, boolean bound) {
            this.loading = loading;
            this.bound = bound;
        }

        public CompletableFuture<Lease> lease() {
            return lease;
        }

        /** True when the request waits because the role is loading (not merely busy). */
        public boolean waitingForLoad() {
            return loading;
        }
    }

    /**
     * Admits a request for {@code role}: a ticket whose lease completes when a slot is free.
     *
     * @throws Rejection 429 when the role's queue is full, 503 when nothing can serve it or Echelon is stopping
     */
    public Ticket admit(String role) {
        return admit(role, false);
    }

    /**
     * As {@link #admit(String)}, for a request that only {@code role} can take when {@code bound} (its fallback's
     * context cannot hold it): it is never {@linkplain #handOver handed over}, counts in {@link #bound}, and waits
     * for a held role up to the role's load timeout rather than the residency wait, after which a request that is
     * not bound would go to the fallback.
     */
    public Ticket admit(String role, boolean bound) {
        if (closed) {
            throw Rejection.shuttingDown("Echelon is shutting down");
        }
        return lane(role).admit(bound);
    }

    /** Withdraws a ticket whose client went away; a lease it already got is released. */
    public void withdraw(Ticket ticket) {
        if (!ticket.lease.isDone()) {
            ticket.lease.cancel(false);
        }
        ticket.lease.thenAccept(Lease::release);
    }

    /**
     * Ends the wait of every request queued for {@code role} with {@link Rejection#handedOver}, for the pipeline to
     * move it to the role's fallback: the role was substituted, so its own slots will not come back soon. A request
     * {@linkplain #admit(String, boolean) bound} to the role waits on: its fallback could not take it.
     *
     * @return how many requests were handed over
     */
    public int handOver(String role, String why) {
        Lane lane = lane(role);
        List<Ticket> waiting = new ArrayList<>();
        synchronized (lane) {
            lane.queue.removeIf(t -> !t.bound && waiting.add(t));
        }
        int n = 0;
        for (Ticket t : waiting) {
            ScheduledFuture<?> timeout = t.timeout;
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (t.lease.completeExceptionally(Rejection.handedOver(why))) {
                n++;
            }
        }
        return n;
    }

    /** Refuses new requests from now on (shutdown). */
    public void close() {
        closed = true;
        lanes.values().forEach(Lane::failAll);
    }

    public int queued(String role) {
        Lane lane = lane(role);
        synchronized (lane) {
            return lane.queue.size();
        }
    }

    /** The requests queued for {@code role} that only it can take (its fallback's context cannot hold them). */
    public int bound(String role) {
        Lane lane = lane(role);
        synchronized (lane) {
            return (int) lane.queue.stream().filter(t -> t.bound && !t.lease.isDone()).count();
        }
    }

    /**
     * How long a request for {@code role} admitted now would wait for a slot: nothing while a slot is free and nobody
     * waits, else the requests ahead of it (queued, and those in flight beyond the slots they leave) at the role's
     * mean time per request spread over its slots; infinite when the role cannot serve now. An estimate for the
     * overflow rule: service times vary, the mean is the lane's own measured one.
     */
    public double expectedWaitSeconds(String role) {
        return ready(role) ? lane(role).expectedWaitSeconds() : Double.POSITIVE_INFINITY;
    }

    /** Whether a request for {@code role} would be served now or soon: a ready instance whose circuit is closed. */
    public boolean ready(String role) {
        return pool.status(role) == InstanceStatus.READY && pool.of(role).stream()
                .anyMatch(i -> i.status() == InstanceStatus.READY && usable.test(i.id()));
    }

    private Lane lane(String role) {
        return lanes.computeIfAbsent(role, Lane::new);
    }

    /** One role's line. */
    private final class Lane {
        private final String role;
        private final Deque<Ticket> queue = new ArrayDeque<>();
        private double meanServiceMs = 1_000;

        Lane(String role) {
            this.role = role;
        }

        Ticket admit(boolean bound) {
            if (pool.of(role).isEmpty()) {
                throw Rejection.unavailable("Role '" + role + "' has no backend instance", 30);
            }
            InstanceStatus status = pool.status(role);
            if (status == InstanceStatus.DOWN) {
                throw Rejection.unavailable("No instance of role '" + role + "' is running (all failed or stopped); "
                        + "the supervisor restarts failed instances", 5);
            }
            if (status == InstanceStatus.READY && pool.of(role).stream()
                    .noneMatch(i -> i.status() == InstanceStatus.READY && usable.test(i.id()))) {
                throw Rejection.unavailable("Every ready instance of role '" + role + "' has its circuit open "
                        + "after repeated failures", 5);
            }
            Ticket t = new Ticket(status != InstanceStatus.READY, bound);
            synchronized (this) {
                if (queue.isEmpty()) {
                    Optional<PooledInstance> free = freeInstance();
                    if (free.isPresent()) {
                        grant(t, free.get());
                        return t;
                    }
                }
                if (queue.size() >= maxQueue) {
                    throw Rejection.overloaded(role, queue.size(), retryAfterSeconds());
                }
                queue.addLast(t);
            }
            // a bound request has no fallback to go to once the residency wait runs out: it waits for its role's
            // load as long as a load may take
            long waitMs = status == InstanceStatus.COLD
                    ? (bound ? Math.max(coldWaitMs, loadTimeoutMs.applyAsLong(role)) : coldWaitMs)
                    : t.loading ? Math.max(maxQueueWaitMs, loadTimeoutMs.applyAsLong(role)) : maxQueueWaitMs;
            t.timeout = timers.schedule(() -> expire(t, waitMs), waitMs, TimeUnit.MILLISECONDS);
            dispatch(); // a slot may have freed between the check and the enqueue
            return t;
        }

        synchronized double expectedWaitSeconds() {
            int slots = 0;
            int busy = 0;
            for (PooledInstance i : pool.of(role)) {
                if (i.status() == InstanceStatus.READY && usable.test(i.id())) {
                    slots += i.slots();
                    busy += i.inFlight();
                }
            }
            int ahead = queue.size() + busy - slots + 1; // requests that must end before this one starts
            return slots == 0 ? Double.POSITIVE_INFINITY : ahead <= 0 ? 0 : ahead * meanServiceMs / slots / 1000.0;
        }

        private long retryAfterSeconds() {
            int slots = Math.max(1, pool.of(role).stream().filter(i -> i.status() == InstanceStatus.READY)
                    .mapToInt(PooledInstance::slots).sum());
            return Math.max(1, (long) Math.ceil(queue.size() * meanServiceMs / slots / 1000.0));
        }

        private Optional<PooledInstance> freeInstance() {
            return pool.of(role).stream().filter(i -> i.status() == InstanceStatus.READY && usable.test(i.id()))
                    .sorted(Comparator.comparingDouble(i -> (double) i.inFlight() / i.slots()))
                    .filter(PooledInstance::tryAcquire).findFirst();
        }

        private void grant(Ticket t, PooledInstance instance) {
            long now = System.nanoTime();
            long queueMs = (now - t.enqueuedNanos) / 1_000_000;
            long loadWaitMs = t.loading ? (now - t.enqueuedNanos) / 1_000_000 : 0;
            long start = now;
            Lease lease = new Lease(instance, queueMs, loadWaitMs, () -> {
                double ms = (System.nanoTime() - start) / 1e6;
                synchronized (this) {
                    meanServiceMs = 0.9 * meanServiceMs + 0.1 * ms;
                }
                dispatch();
            });
            ScheduledFuture<?> timeout = t.timeout;
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (!t.lease.complete(lease)) {
                lease.release(); // the client went away meanwhile
            }
        }

        void dispatch() {
            while (true) {
                Ticket next;
                PooledInstance free;
                synchronized (this) {
                    Ticket head = queue.peekFirst();
                    while (head != null && head.lease.isDone()) { // withdrawn or expired
                        queue.pollFirst();
                        head = queue.peekFirst();
                    }
                    if (head == null) {
                        return;
                    }
                    Optional<PooledInstance> f = freeInstance();
                    if (f.isEmpty()) {
                        return;
                    }
                    free = f.get();
                    next = queue.pollFirst();
                }
                grant(next, free);
            }
        }

        private void expire(Ticket t, long waitMs) {
            synchronized (this) {
                queue.remove(t);
            }
            InstanceStatus now = pool.status(role);
            String why = now == InstanceStatus.READY
                    ? "no slot of role '" + role + "' became free within " + waitMs + " ms"
                    : now == InstanceStatus.COLD
                    ? "role '" + role + "' is held by the residency controller (cold, moving or waiting for a "
                            + "decision) and did not become ready within " + waitMs + " ms"
                    : "role '" + role + "' did not become ready within " + waitMs + " ms";
            if (t.lease.completeExceptionally(Rejection.unavailable(why, retryAfterSeconds()))) {
                LOG.debugf("admission timeout: %s", why);
            }
        }

        void failAll() {
            synchronized (this) {
                for (Ticket t : queue) {
                    t.lease.completeExceptionally(Rejection.shuttingDown("Echelon is shutting down"));
                }
                queue.clear();
            }
        }
    }
}
