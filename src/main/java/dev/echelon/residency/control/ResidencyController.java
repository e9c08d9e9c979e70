package dev.echelon.residency.control;

import dev.echelon.pipeline.ResidencyView;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Decision;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Observation;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import dev.echelon.residency.plan.GuardedPlan;
import dev.echelon.residency.plan.GuardrailSettings;
import dev.echelon.residency.plan.Guardrails;
import dev.echelon.residency.plan.TransitionHistory;
import dev.echelon.supervisor.Supervisor;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * The residency controller, beside the request path: owns the live placement, asks its policy what it should be,
 * lets the guardrails pass what may happen now, hands that to the {@link Actuator} and books every change in the
 * {@link ResidencyLedger}.
 *
 * <p>One thread of its own runs every policy call: a tick every {@code tickMs}, and at once when a request arrives
 * for a role that cannot serve or serves off the GPU. The request path never calls into it: it reads the live
 * placement from an immutable {@link ResidencySnapshot} and posts signals (a role was asked for, an answer was weak)
 * into a lock-free queue. Where a decision holds a role ({@link ResidencyView.Standing#WAITING}: the verdict on a
 * request for a role off the GPU, a decided promotion not yet started, a deferral), its requests wait in admission,
 * bounded, until the controller reports the role's standing changed — the contract the simulator measures the
 * policies under. Policies therefore need no locking, and their {@code explain()} is cached for readers on other
 * threads.
 *
 * <p>Every policy — Echelon's planner or a peer — goes through the same {@link Guardrails} with the controller's own
 * history of started transitions: pins and precision floors, minimum dwell, the anti-thrash window, no demotion of a
 * busy role, and a budget-safe order.
 */
public final class ResidencyController implements ResidencyView, Actuator.Listener, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ResidencyController.class);
    /** Signals beyond this many unprocessed ones are counted and dropped: the controller is falling behind. */
    static final int MAX_SIGNALS = 100_000;
    private static final int RECENT = 200;

    /**
     * @param enabled          off: the registry placement stays, nothing is started, every role serves as launched
     * @param tickMs           wall-clock period of the tick
     * @param transitionWaitMs how long a request waits for a cold or moving role before its fallback or 503
     */
    public record Settings(boolean enabled, long tickMs, long transitionWaitMs) {

        public Settings {
            if (tickMs < 1 || transitionWaitMs < 0) {
                throw new IllegalArgumentException("tickMs >= 1 and transitionWaitMs >= 0 expected: " + tickMs + ", "
                        + transitionWaitMs);
            }
        }
    }

    /** Requests per role as the request path sees them. */
    public interface Load {
        int inFlight(String role);

        int queued(String role);

        /** Of the queued, those only the role itself can take: its fallback's context cannot hold them. */
        default int bound(String role) {
            return 0;
        }
    }

    private sealed interface Signal {
        double at();
    }

    /** @param verdict the request waits for this decision ({@link ResidencyView.Standing#WAITING}) */
    private record Requested(String role, int promptTokens, int maxOutputTokens, double at, boolean verdict)
            implements Signal {
    }

    private record WeakAnswer(String role, String likelyNext, double at) implements Signal {
    }

    /** A request only {@code role} can take was queued for it. */
    private record Bound(String role, double at) implements Signal {
    }

    private final ResidencyModel model;
    private final ResidencyPolicy policy;
    private final Guardrails guardrails;
    private final TransitionHistory history;
    private final ResidencyLedger ledger;
    private final ControllerClock clock;
    private final Load load;
    private final Settings settings;
    private final Actuator actuator;
    private final Object writeLock = new Object();
    private volatile ResidencySnapshot snapshot;
    private volatile Map<String, Object> explained = Map.of();
    private final Queue<Signal> signals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingSignals = new AtomicInteger();
    private final AtomicLong droppedSignals = new AtomicLong();
    private final Semaphore wake = new Semaphore(0);
    private final List<Consumer<String>> standingListeners = new CopyOnWriteArrayList<>();
    /** Per role, requests waiting for the controller's verdict on them (posted, not yet decided). */
    private final Map<String, AtomicInteger> awaitingVerdict = new ConcurrentHashMap<>();
    private final Map<Transition, Long> steps = new ConcurrentHashMap<>();
    private final AtomicLong ticks = new AtomicLong();
    private volatile long lastTickMicros;
    private volatile Thread thread;
    private volatile boolean running;

    public ResidencyController(ResidencyModel model, ResidencyPolicy policy, GuardrailSettings guards,
            Supervisor supervisor, Actuator.Settings actuation, Load load, ResidencyLedger ledger,
            ControllerClock clock, Settings settings) {
        this.model = model;
        this.policy = policy;
        this.guardrails = new Guardrails(model, guards);
        this.history = new TransitionHistory(Math.max(Math.max(guards.windowSeconds(),
                guards.dwellAfter(guards.maxDwellDoublings())), guards.flapWindowSeconds()) * 2 + 1);
        this.ledger = ledger;
        this.clock = clock;
        this.load = load;
        this.settings = settings;
        Placement initial = model.initialPlacement();
        this.snapshot = new ResidencySnapshot(initial, Map.of(), Map.of(), Set.of(), 0);
        this.actuator = new Actuator(model, supervisor, initial, load::inFlight, actuation, this);
    }

    /** Starts the controller's thread (when enabled). */
    public synchronized void start() {
        publishLive();
        if (!settings.enabled() || running) {
            return;
        }
        running = true;
        explained = safeExplain();
        thread = new Thread(this::loop, "echelon-residency");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("residency controller: policy %s, %d managed role(s), GPU budget %.1f GiB, host %.1f GiB, tick %d ms",
                policy.name(), model.roles().size(), model.budgets().gpuBytes() / GIB,
                model.budgets().hostRamBytes() / GIB, settings.tickMs());
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    // ---- what others read ---------------------------------------------------------------------------------------

    public ResidencySnapshot snapshot() {
        return snapshot;
    }

    public ResidencyModel model() {
        return model;
    }

    public String policyName() {
        return policy.name();
    }

    public boolean enabled() {
        return settings.enabled();
    }

    public ResidencyLedger ledger() {
        return ledger;
    }

    public ControllerClock clock() {
        return clock;
    }

    /** The policy's explanation (forecast, plan cost, vetoes …) as of its last decision. */
    public Map<String, Object> explain() {
        return explained;
    }

    /** Ticks run, the last one's duration, signals dropped because the controller fell behind. */
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ticks", ticks.get());
        m.put("last_tick_micros", lastTickMicros);
        m.put("pending_signals", pendingSignals.get());
        m.put("dropped_signals", droppedSignals.get());
        return m;
    }

    // ---- ResidencyView: the request path ------------------------------------------------------------------------

    @Override
    public RoleStanding standing(String role) {
        if (!settings.enabled() || !model.manages(role)) {
            return RoleStanding.UNMANAGED;
        }
        ResidencySnapshot snap = snapshot;
        RolePlacement p = snap.live(role);
        Standing s = switch (p.state()) {
            case S0, S1, S2, S3 -> heldByDecision(snap, role) ? Standing.WAITING : Standing.SERVING;
            case S4 -> Standing.COLD;
            case S5 -> Standing.MOVING;
            case S6 -> Standing.SUBSTITUTED;
        };
        return new RoleStanding(s, Optional.of(p.state()), model.role(role).fallback());
    }

    /**
     * A running role whose new requests wait for a decision, as in the simulator the policies are measured in: a
     * request for it off the GPU waits for the policy's verdict on that request (which may load the role: started on
     * the CPU copy, the request would hold the load until it ended, minutes for a big model); a promotion or
     * reconfiguration decided but not started (waiting for memory or for the role's own requests) starts no new
     * request, which would only lengthen the wait; a deferred role starts none until a decision stops deferring it.
     * A pending demotion holds nothing: the role serves its queue until it is idle.
     */
    private boolean heldByDecision(ResidencySnapshot snap, String role) {
        AtomicInteger verdicts = awaitingVerdict.get(role);
        if (verdicts != null && verdicts.get() > 0) {
            return true;
        }
        Transition pending = snap.pending().get(role);
        return (pending != null && !Guardrails.demotes(pending.from(), pending.to())) || snap.deferred().contains(role);
    }

    /** Running off the GPU: on the CPU (S3) or with only some layers in GPU memory. */
    private boolean offGpu(String role, RolePlacement p) {
        return p.running() && !model.wholeGpu(role, p);
    }

    @Override
    public long waitMs() {
        return settings.transitionWaitMs();
    }

    @Override
    public void requested(String role, int promptTokens, int maxOutputTokens) {
        if (!running || !model.manages(role)) {
            return;
        }
        ResidencySnapshot snap = snapshot;
        boolean verdict = offGpu(role, snap.live(role)) && !snap.moving().containsKey(role);
        if (verdict) {
            awaitingVerdict.computeIfAbsent(role, r -> new AtomicInteger()).incrementAndGet();
        }
        if (!post(new Requested(role, promptTokens, maxOutputTokens, clock.nowSeconds(), verdict)) && verdict) {
            verdictGiven(role); // dropped: the request must not wait for a decision that will not come
        }
        policy.overflow().ifPresent(o -> o.arrival(clock.nowSeconds()));
        if (verdict || standing(role).standing().held()) {
            wake.release(); // a request waits for this role: decide now, not at the next tick
        }
    }

    private void verdictGiven(String role) {
        AtomicInteger n = awaitingVerdict.get(role);
        if (n != null && n.decrementAndGet() <= 0) {
            n.set(0);
            changed(role); // its waiting requests are dispatched, or wait on for the move the verdict started
        }
    }

    /** Counted whenever it is known: the answer's end, where the pipeline measures it ({@code RecordStep}). */
    @Override
    public void firstToken(String role, double ttftSeconds) {
        if (running) {
            policy.overflow().ifPresent(o -> o.firstToken(clock.nowSeconds(), ttftSeconds));
        }
    }

    /**
     * The policy's {@link Overflow} rule, read against the published snapshot: both the role and its fallback must be
     * settled on the whole GPU and free of any decided move (pending, moving or deferred: placement is the policy's),
     * and the rule must take the request on its expected times to first token.
     */
    @Override
    public Optional<String> overflowTo(String role, int promptTokens, ToDoubleFunction<String> queueWaitSeconds) {
        Optional<Overflow> rule = policy.overflow();
        if (!running || !settings.enabled() || rule.isEmpty() || !model.manages(role)) {
            return Optional.empty();
        }
        Optional<String> fallback = model.role(role).fallback().filter(model::manages);
        ResidencySnapshot snap = snapshot;
        if (fallback.isEmpty() || !servesNow(snap, role) || !servesNow(snap, fallback.get())) {
            return Optional.empty();
        }
        double own = firstTokenSeconds(snap, role, promptTokens, queueWaitSeconds);
        double alternative = firstTokenSeconds(snap, fallback.get(), promptTokens, queueWaitSeconds);
        return rule.get().take(clock.nowSeconds(), own, alternative, model.role(role).tier())
                ? fallback : Optional.empty();
    }

    private static boolean servesNow(ResidencySnapshot snap, String role) {
        return Overflow.hot(snap.settled().of(role)) && !snap.moving().containsKey(role)
                && !snap.pending().containsKey(role) && !snap.deferred().contains(role);
    }

    private double firstTokenSeconds(ResidencySnapshot snap, String role, int promptTokens,
            ToDoubleFunction<String> queueWaitSeconds) {
        return queueWaitSeconds.applyAsDouble(role)
                + model.service(role, snap.settled().of(role), Math.max(1, promptTokens), 1).ttftSeconds();
    }

    /**
     * Decides at once, with the request counted among the role's bound ones: the decision its arrival started may
     * have run before admission queued it, and seen a substituted role's request as its fallback's to serve.
     */
    @Override
    public void waitsBound(String role) {
        if (running && model.manages(role) && post(new Bound(role, clock.nowSeconds()))) {
            wake.release();
        }
    }

    @Override
    public void weakAnswer(String role, String likelyNext) {
        if (running && model.manages(likelyNext)) {
            post(new WeakAnswer(role, likelyNext, clock.nowSeconds()));
        }
    }

    @Override
    public void onStandingChange(Consumer<String> listener) {
        standingListeners.add(listener);
    }

    /** Queues a signal for the controller's thread; false when dropped (the controller is falling behind). */
    private boolean post(Signal s) {
        if (pendingSignals.incrementAndGet() > MAX_SIGNALS) {
            pendingSignals.decrementAndGet();
            droppedSignals.incrementAndGet();
            return false;
        }
        signals.add(s);
        return true;
    }

    // ---- the controller's thread --------------------------------------------------------------------------------

    private void loop() {
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(settings.tickMs());
        long nextTick = System.nanoTime();
        while (running) {
            try {
                long waitNanos = nextTick - System.nanoTime();
                if (waitNanos > 0) {
                    wake.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
                }
                wake.drainPermits();
                if (!running) {
                    return;
                }
                drainSignals();
                if (System.nanoTime() - nextTick >= 0) {
                    tick();
                    nextTick = System.nanoTime() + tickNanos;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("residency controller step failed; it carries on at the next tick", e);
            }
        }
    }

    /** Runs the queued signals through the policy, in arrival order. Package-private for tests. */
    void drainSignals() {
        Signal s;
        while ((s = signals.poll()) != null) {
            pendingSignals.decrementAndGet();
            if (s instanceof Requested r) {
                try {
                    Observation now = observe(r.at());
                    decide(policy.onRequest(now, r.role(), r.promptTokens(), r.maxOutputTokens()), now,
                            "request for " + r.role(), r.role());
                } finally {
                    if (r.verdict()) {
                        verdictGiven(r.role());
                    }
                }
            } else if (s instanceof WeakAnswer w) {
                policy.onWeakAnswer(w.at(), w.role(), w.likelyNext());
            } else if (s instanceof Bound b) {
                Observation now = observe(b.at());
                decide(policy.onTick(now), now, "request bound to " + b.role(), b.role());
            }
        }
    }

    /** One tick: the policy plans, the guardrails pass what may happen, the actuator starts it. Package-private. */
    void tick() {
        long start = System.nanoTime();
        Observation now = observe(clock.nowSeconds());
        decide(policy.onTick(now), now, "tick", null);
        explained = safeExplain();
        ticks.incrementAndGet();
        lastTickMicros = (System.nanoTime() - start) / 1000;
    }

    private Observation observe(double now) {
        ResidencySnapshot snap = snapshot;
        Map<String, Integer> inFlight = new HashMap<>();
        Map<String, Integer> queued = new HashMap<>();
        Map<String, Integer> bound = new HashMap<>();
        for (String role : model.roles().keySet()) {
            inFlight.put(role, load.inFlight(role));
            queued.put(role, load.queued(role));
            int b = load.bound(role);
            if (b > 0) {
                bound.put(role, b);
            }
        }
        Set<String> inTransit = new HashSet<>(snap.inTransit());
        inTransit.addAll(actuator.busy());
        return new Observation(now, snap.intended(), inTransit, inFlight, queued, bound);
    }

    /**
     * Applies a policy's decision: what the guardrails let through goes to the actuator, in their budget-safe order.
     * A request that just arrived for a role that cannot serve counts as waiting, so the guardrails see the load as
     * urgent (as it is: the request waits for it now).
     */
    private void decide(Decision d, Observation now, String trigger, String requestedRole) {
        Set<String> deferred = new HashSet<>(d.deferred());
        List<String> changed = now.current().changedRoles(d.target()).stream()
                .filter(r -> model.manages(r) && !now.inTransit().contains(r)).toList();
        if (!changed.isEmpty()) {
            Observation seen = now;
            if (requestedRole != null && now.queued(requestedRole) == 0
                    && !now.current().of(requestedRole).running()) {
                Map<String, Integer> queued = new HashMap<>(now.queued());
                queued.put(requestedRole, 1);
                seen = new Observation(now.nowSeconds(), now.current(), now.inTransit(), now.inFlight(), queued,
                        now.bound());
            }
            GuardedPlan guarded = guardrails.apply(d.target(), seen, history);
            deferred.addAll(guarded.deferred());
            if (!guarded.vetoes().isEmpty()) {
                LOG.debugf("residency: vetoed %s", guarded.vetoes());
            }
            if (!guarded.transitions().isEmpty()) {
                actuator.submit(guarded.transitions(), d.cause().startsWith(trigger) ? d.cause()
                        : trigger + ": " + d.cause());
            }
        }
        Set<String> before;
        synchronized (writeLock) {
            before = snapshot.deferred();
            snapshot = snapshot.withDeferred(deferred, now.nowSeconds());
        }
        for (String role : before) {
            if (!deferred.contains(role)) {
                changed(role); // no longer deferred: its waiting requests may start
            }
        }
    }

    private Map<String, Object> safeExplain() {
        try {
            return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(policy.explain()));
        } catch (RuntimeException e) {
            LOG.debugf("policy %s could not explain itself: %s", policy.name(), e.toString());
            return Map.of("error", String.valueOf(e.getMessage()));
        }
    }

    // ---- the actuator's reports (on its threads) ----------------------------------------------------------------

    @Override
    public void started(Transition t) {
        double now = clock.nowSeconds();
        steps.put(t, ledger.nextStep());
        history.record(t, now);
        synchronized (writeLock) {
            snapshot = snapshot.withMoving(t, now);
        }
        LOG.infof("residency: %s started (planned %.0f ms)", t, t.seconds() * 1000);
        publishLive();
        changed(t.role());
    }

    @Override
    public void waiting(Transition t) {
        synchronized (writeLock) {
            snapshot = snapshot.withPending(t, clock.nowSeconds());
        }
    }

    @Override
    public void dropped(Transition t, String why) {
        LOG.infof("residency: %s not started: %s", t, why);
        synchronized (writeLock) {
            snapshot = snapshot.withoutPending(t.role(), clock.nowSeconds());
        }
        changed(t.role()); // a promotion that held its requests is off: they may start where the role is
    }

    @Override
    public void landed(Actuator.Landing l) {
        Transition t = l.transition();
        double now = clock.nowSeconds();
        ResidencySnapshot after;
        synchronized (writeLock) {
            after = snapshot.landed(t.role(), l.at(), now);
            snapshot = after;
        }
        Footprint used = after.reserved(model);
        Long step = steps.remove(t);
        ledger.record(new LedgerEntry(step == null ? ledger.nextStep() : step, Instant.now(), t.role(), policy.name(),
                l.cause(), score(t.role()), t.from().state(), l.at().state(), t.from().variant(), l.at().variant(),
                l.at().gpuLayers(), l.action(), l.ok() ? t.bytesMoved() : 0, t.seconds() * 1000,
                clock.controllerMs(l.wallNanos()), l.wallNanos() / 1e6, l.drainMs(),
                model.budgets().gpuPressure(used), model.budgets().hostPressure(used),
                l.ok() ? "ok" : "failed: " + l.failure()));
        if (l.ok()) {
            LOG.infof("residency: %s landed in %.0f ms (planned %.0f ms)", t, clock.controllerMs(l.wallNanos()),
                    t.seconds() * 1000);
        } else {
            LOG.warnf("residency: %s failed: %s", t, l.failure());
        }
        publishLive();
        changed(t.role());
        wake.release(); // memory or a role came free: requests waiting elsewhere may be served now
    }

    /** The policy's score for a role, if its explanation has one ({@code roleCosts} or {@code scores}). */
    private Double score(String role) {
        for (String key : List.of("roleCosts", "scores")) {
            if (explained.get(key) instanceof Map<?, ?> m && m.get(role) instanceof Number n) {
                return n.doubleValue();
            }
        }
        return null;
    }

    private void publishLive() {
        ResidencySnapshot snap = snapshot;
        Map<String, ResidencyState> states = new LinkedHashMap<>();
        snap.live().roles().forEach((r, p) -> states.put(r, p.state()));
        Footprint used = snap.reserved(model);
        ledger.live(states, used, model.budgets());
    }

    private void changed(String role) {
        for (Consumer<String> l : standingListeners) {
            try {
                l.accept(role);
            } catch (RuntimeException e) {
                LOG.warnf(e, "residency standing listener failed for %s", role);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        wake.release();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        actuator.close();
        ledger.close();
    }
}
