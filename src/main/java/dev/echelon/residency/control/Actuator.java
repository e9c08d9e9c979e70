package dev.echelon.residency.control;

import dev.echelon.registry.GpuLayers;
import dev.echelon.registry.LaunchSpec;
import dev.echelon.registry.ResidencyState;
import dev.echelon.residency.Footprint;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.Supervisor;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Turns residency {@link Transition}s into supervisor actions: stop a role's servers (S4, S6), start or relaunch
 * them with the launch settings of the target placement (variant file, {@code -ngl}, mlock for S3), and pre-read the
 * GGUF into the page cache when staging into S3. A role is in S5 from the moment its action starts until every one
 * of its servers answers {@code /health} 200; then it lands in the target. If the action fails, the role goes back
 * to the placement it came from (or, if that cannot be restored either, to S4) and the failure is reported.
 *
 * <p>Actions for different roles run concurrently, each on its own thread; a transition that needs memory starts
 * only when the bytes it will hold fit beside what every other role holds or is still moving out of, so demotions
 * complete before the promotions that need their memory. Before a running role's server is stopped, the requests
 * in flight on it are let finish (new ones wait, because the role is in S5).
 */
public final class Actuator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Actuator.class);
    private static final long DRAIN_POLL_MS = 20;

    /**
     * What the controller hears, in order per role. Called on actuator threads and in {@link #submit}, never while
     * the actuator holds its lock.
     */
    public interface Listener {
        /** The action for {@code t} starts: the role is in S5 until {@link #landed}. */
        void started(Transition t);

        /** {@code t} waits for memory that demotions under way still hold; the role serves where it is. */
        void waiting(Transition t);

        /** {@code t} will not start: the memory it needs is held and nothing under way frees it. */
        void dropped(Transition t, String why);

        void landed(Landing landing);
    }

    /**
     * How one transition ended.
     *
     * @param at        where the role is now: the target, or after a failure the placement it fell back to
     * @param drainMs   wall-clock time spent letting requests in flight finish before the action
     * @param wallNanos from the action's start until the role served (or stopped)
     * @param failure   why the action failed, or null
     */
    public record Landing(Transition transition, String cause, String action, RolePlacement at, long drainMs,
            long wallNanos, String failure) {

        public boolean ok() {
            return failure == null;
        }
    }

    /**
     * @param readyTimeoutMs per role: how long its servers may take to answer /health 200 (its load timeout)
     * @param drainLimitMs   per role: how long requests in flight may take to finish before the servers are stopped
     *                       anyway (its total request timeout)
     * @param stopTimeout    how long stopping a server may take (SIGTERM grace, then SIGKILL)
     */
    public record Settings(ToLongFunction<String> readyTimeoutMs, ToLongFunction<String> drainLimitMs,
            Duration stopTimeout) {
    }

    private final ResidencyModel model;
    private final Supervisor supervisor;
    private final ToIntFunction<String> inFlight;
    private final Settings settings;
    private final Listener listener;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "echelon-residency-actuator");
        t.setDaemon(true);
        return t;
    });
    /** Per role, the memory it holds: its settled footprint, or while it moves the larger of from and to. */
    private final Map<String, Footprint> held = new HashMap<>();
    /** Per role, where it is settled (or, while it moves, where it is going). */
    private final Map<String, RolePlacement> at = new HashMap<>();
    private final Map<String, Transition> moving = new HashMap<>();
    private final List<Pending> waiting = new ArrayList<>();

    private record Pending(Transition transition, String cause) {
    }

    /**
     * @param initial  where every managed role is now (what the supervisor launched)
     * @param inFlight requests being served per role, for draining
     */
    public Actuator(ResidencyModel model, Supervisor supervisor, Placement initial, ToIntFunction<String> inFlight,
            Settings settings, Listener listener) {
        this.model = model;
        this.supervisor = supervisor;
        this.inFlight = inFlight;
        this.settings = settings;
        this.listener = listener;
        initial.roles().forEach((role, p) -> {
            held.put(role, model.footprint(role, p));
            at.put(role, p);
        });
    }

    /**
     * Carries out transitions in the given order (the guardrails' budget-safe order): each starts as soon as its role
     * is free and the memory it needs fits beside what every other role holds; until then it waits. A role may
     * appear more than once (e.g. stop now, stage later); a transition that does not start where its role is by
     * then is given up.
     */
    public void submit(List<Transition> batch, String cause) {
        List<Runnable> events = new ArrayList<>();
        synchronized (this) {
            for (Transition t : batch) {
                boolean chained = waiting.stream().anyMatch(p -> p.transition().role().equals(t.role()))
                        || moving.containsKey(t.role());
                if (chained && !t.from().equals(lastPlanned(t.role()))) {
                    LOG.debugf("residency: %s ignored, the role is already moving elsewhere", t);
                    continue;
                }
                waiting.add(new Pending(t, cause));
            }
            startWaiting(events);
            for (Pending p : waiting) {
                if (batch.contains(p.transition())) {
                    events.add(() -> listener.waiting(p.transition()));
                }
            }
        }
        events.forEach(Runnable::run);
    }

    /** Where the role will be once what is moving and waiting for it has run. */
    private RolePlacement lastPlanned(String role) {
        RolePlacement p = at.get(role);
        for (Pending w : waiting) {
            if (w.transition().role().equals(role)) {
                p = w.transition().to();
            }
        }
        return p;
    }

    /** Roles moving, or waiting to move. */
    public synchronized Set<String> busy() {
        Set<String> s = new HashSet<>(moving.keySet());
        waiting.forEach(p -> s.add(p.transition().role()));
        return s;
    }

    private Footprint peak(Transition t) {
        Footprint from = model.footprint(t.role(), t.from());
        Footprint to = model.footprint(t.role(), t.to());
        return new Footprint(Math.max(from.gpuBytes(), to.gpuBytes()), Math.max(from.hostBytes(), to.hostBytes()));
    }

    /** Whether {@code t}'s peak fits beside what every other role holds; a transition that frees memory always does. */
    private boolean fits(Transition t) {
        Footprint mine = held.getOrDefault(t.role(), Footprint.ZERO);
        Footprint peak = peak(t);
        if (peak.gpuBytes() <= mine.gpuBytes() && peak.hostBytes() <= mine.hostBytes()) {
            return true;
        }
        Footprint others = Footprint.ZERO;
        for (Map.Entry<String, Footprint> e : held.entrySet()) {
            if (!e.getKey().equals(t.role())) {
                others = others.plus(e.getValue());
            }
        }
        return others.plus(peak).within(model.budgets());
    }

    /**
     * Books {@code t} as moving; the report and the work itself are queued on {@code events}, which the caller runs
     * after releasing the lock (in order: a role's start is reported before its worker can report it landed).
     */
    private void begin(Transition t, String cause, List<Runnable> events) {
        held.put(t.role(), peak(t));
        at.put(t.role(), t.to());
        moving.put(t.role(), t);
        events.add(() -> {
            listener.started(t);
            workers.execute(() -> land(carry(t, cause)));
        });
    }

    private void land(Landing landing) {
        Transition t = landing.transition();
        List<Runnable> events = new ArrayList<>();
        synchronized (this) {
            moving.remove(t.role());
            held.put(t.role(), model.footprint(t.role(), landing.at()));
            at.put(t.role(), landing.at());
            events.add(() -> listener.landed(landing));
            startWaiting(events);
        }
        events.forEach(Runnable::run);
    }

    /**
     * Starts, in order, what can start: a transition whose role is free and whose memory fits. One that waits for
     * its role holds back later ones of the same role; one whose role landed elsewhere, or whose memory nothing under
     * way will free, is given up.
     */
    private void startWaiting(List<Runnable> events) {
        Set<String> blocked = new HashSet<>();
        for (Iterator<Pending> it = waiting.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            Transition t = p.transition();
            if (moving.containsKey(t.role()) || blocked.contains(t.role())) {
                blocked.add(t.role());
                continue;
            }
            if (!t.from().equals(at.get(t.role()))) {
                it.remove();
                String why = "the role is at " + at.get(t.role()) + ", not " + t.from();
                events.add(() -> listener.dropped(t, why));
            } else if (fits(t)) {
                it.remove();
                begin(t, p.cause(), events);
            } else {
                blocked.add(t.role());
            }
        }
        if (moving.isEmpty()) {
            // nothing under way will free memory or move a role: what still waits never starts
            for (Pending p : waiting) {
                events.add(() -> listener.dropped(p.transition(),
                        "the memory it needs is held and nothing under way frees it"));
            }
            waiting.clear();
        }
    }

    // ---- one transition, on a worker thread ---------------------------------------------------------------------

    private Landing carry(Transition t, String cause) {
        String role = t.role();
        long drainMs = t.from().running() ? drain(role) : 0;
        boolean stage = stages(t);
        String action = action(t, stage);
        long start = System.nanoTime();
        try {
            moveTo(role, t.from(), t.to(), stage);
            return new Landing(t, cause, action, t.to(), drainMs, System.nanoTime() - start, null);
        } catch (Exception e) {
            String why = reason(e);
            LOG.warnf("residency: %s failed: %s", t, why);
            RolePlacement back = recover(t);
            return new Landing(t, cause, action, back, drainMs, System.nanoTime() - start,
                    why + "; " + (back.equals(t.from()) ? "restored " + back : "fell back to " + back));
        }
    }

    /** Staging into S3 reads the file first, unless a process just had it mapped (same variant running). */
    static boolean stages(Transition t) {
        return t.to().state() == ResidencyState.S3
                && !(t.from().running() && t.from().variant().equals(t.to().variant()));
    }

    static String action(Transition t, boolean stage) {
        if (!t.to().running()) {
            return t.from().running() ? "stop" : "none";
        }
        String verb = t.from().running() ? "relaunch" : "start";
        return stage ? "stage+" + verb : verb;
    }

    private void moveTo(String role, RolePlacement from, RolePlacement to, boolean stage) throws Exception {
        if (!to.running()) {
            stopAll(role);
            supervisor.unstage(role, from.variant()); // on NVMe only (or substituted): nothing of it is kept
            return;
        }
        if (stage) {
            supervisor.stage(role, to.variant()).get(settings.readyTimeoutMs().applyAsLong(role),
                    TimeUnit.MILLISECONDS);
        }
        List<ServerProcess> servers = servers(role);
        List<CompletableFuture<Void>> launched = new ArrayList<>();
        for (ServerProcess s : servers) {
            launched.add(supervisor.relaunch(s.instanceId(), launchFor(s.instanceId(), role, to)));
        }
        CompletableFuture.allOf(launched.toArray(CompletableFuture[]::new))
                .get(settings.stopTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        long timeout = settings.readyTimeoutMs().applyAsLong(role);
        CompletableFuture.allOf(servers.stream().map(s -> landed(s, timeout)).toArray(CompletableFuture[]::new))
                .get(timeout + 1_000, TimeUnit.MILLISECONDS);
    }

    /** Ready, or failed as soon as the fresh launch fails (a crash-restart loop is not worth waiting for). */
    private static CompletableFuture<Void> landed(ServerProcess s, long timeoutMs) {
        CompletableFuture<Void> ready = s.awaitReady(Duration.ofMillis(timeoutMs));
        Runnable unsubscribe = s.onChange(c -> {
            if (c.to() == ServerState.FAILED) {
                ready.completeExceptionally(new IllegalStateException(s.instanceId() + " failed: " + c.reason()));
            }
        });
        if (s.state() == ServerState.FAILED) {
            ready.completeExceptionally(new IllegalStateException(s.instanceId() + " failed to launch"));
        }
        return ready.whenComplete((v, e) -> unsubscribe.run());
    }

    /** Back to where the role came from; if that fails too (or it was not running), nothing runs. */
    private RolePlacement recover(Transition t) {
        String role = t.role();
        if (t.from().running()) {
            try {
                moveTo(role, t.to(), t.from(), false);
                return t.from();
            } catch (Exception e) {
                LOG.warnf("residency: restoring %s at %s failed too: %s; stopping it", role, t.from(), reason(e));
            }
        }
        try {
            stopAll(role);
        } catch (Exception e) {
            LOG.warnf("residency: stopping %s failed: %s", role, reason(e));
        }
        return t.from().running() ? RolePlacement.cold(t.from().variant()) : t.from();
    }

    private void stopAll(String role) throws Exception {
        CompletableFuture.allOf(servers(role).stream().map(s -> supervisor.stop(s.instanceId()))
                .toArray(CompletableFuture[]::new))
                .get(settings.stopTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    }

    /** Waits until the role has no request in flight, up to its drain limit; returns the wall milliseconds waited. */
    private long drain(String role) {
        long start = System.nanoTime();
        long limit = settings.drainLimitMs().applyAsLong(role);
        while (inFlight.applyAsInt(role) > 0 && (System.nanoTime() - start) / 1_000_000 < limit) {
            try {
                Thread.sleep(DRAIN_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.applyAsInt(role) > 0) {
            LOG.warnf("residency: %d request(s) still in flight on %s after %d ms; moving it anyway",
                    inFlight.applyAsInt(role), role, limit);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private List<ServerProcess> servers(String role) {
        return supervisor.serversOf(role).stream().filter(s -> !s.external()).toList();
    }

    /**
     * The registry launch settings of {@code instanceId} with the placement applied: its variant, its GPU layers
     * ({@code all} when every layer is on the GPU), and for S3 memory locking, so that the staged weights stay in
     * RAM (unless the registry chose a load mode without mmap, which locking would not help).
     */
    LaunchSpec launchFor(String instanceId, String role, RolePlacement p) {
        LaunchSpec base = supervisor.registryLaunch(instanceId);
        int layers = model.role(role).requireVariant(p.variant()).layers();
        GpuLayers ngl = p.gpuLayers() >= layers ? GpuLayers.ALL : GpuLayers.of(p.gpuLayers());
        String loadMode = base.loadMode();
        if (p.state() == ResidencyState.S3 && ("auto".equals(loadMode) || "mmap".equals(loadMode))) {
            loadMode = "mmap+mlock";
        }
        return new LaunchSpec(base.template(), p.variant(), ngl, base.ctxSize(), base.parallel(), base.kvUnified(),
                loadMode, base.port(), base.threads(), base.flashAttn(), base.extraArgs());
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return "timed out" + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
