package dev.echelon.supervisor;

import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A llama-server that Echelon starts and keeps alive: launch, probe {@code /health} until ready (STARTING → LOADING
 * → READY), restart with exponential backoff after a crash or a load that takes too long, stop gracefully (SIGTERM,
 * then SIGKILL after a grace period). The same class drives real processes and in-process fakes, through
 * {@link Launcher}.
 */
public final class ManagedServer extends ObservedServer {

    private static final Logger LOG = Logger.getLogger(ManagedServer.class);
    static final long PROBE_WHILE_LOADING_MS = 50;
    static final long PROBE_WHILE_READY_MS = 2_000;

    private final Launcher launcher;
    private final HealthProbe probe;
    private final ScheduledExecutorService scheduler;
    private final RestartPolicy restartPolicy;
    private final Duration loadTimeout;
    private final Duration stopGrace;

    private volatile Supplier<LaunchCommand> commands;
    private volatile LaunchCommand current;
    private volatile ServerHandle handle;
    private volatile boolean wanted;
    private volatile long launchedAtNanos;
    private volatile long readyAtNanos;
    private int consecutiveFailures;
    private int restarts;
    private ScheduledFuture<?> probeTask;
    private ScheduledFuture<?> restartTask;
    /**
     * Relaunches run one after another: two owners (the residency actuator, speculation) relaunching at once would
     * otherwise interleave their stops and starts, and one of them would wait for a launch that never comes.
     */
    private CompletableFuture<Void> relaunches = CompletableFuture.completedFuture(null);
    /** Read on the request path without this server's lock (which is held while state events run listeners). */
    private final AtomicInteger relaunchesPending = new AtomicInteger();
    /** Stops asked for from outside (not the ones a relaunch makes itself), so a relaunch can tell it was overtaken. */
    private long stopsRequested;

    public ManagedServer(String instanceId, String role, Launcher launcher, Supplier<LaunchCommand> commands,
            HealthProbe probe, ScheduledExecutorService scheduler, RestartPolicy restartPolicy, Duration loadTimeout,
            Duration stopGrace) {
        super(instanceId, role);
        this.launcher = launcher;
        this.commands = commands;
        this.probe = probe;
        this.scheduler = scheduler;
        this.restartPolicy = restartPolicy;
        this.loadTimeout = loadTimeout;
        this.stopGrace = stopGrace;
        this.current = commands.get();
    }

    @Override
    public URI baseUrl() {
        return current.baseUrl();
    }

    /** The command line of the current (or next) launch. */
    public List<String> args() {
        return current.args();
    }

    @Override
    public boolean external() {
        return false;
    }

    @Override
    public synchronized void start() {
        wanted = true;
        if (handle != null && handle.alive()) {
            return;
        }
        launch("start");
    }

    /**
     * Stops the running server and starts it again with a new command line (a residency transition: another
     * variant, other GPU layers). Completes when the new one has been launched. The caller has drained the role.
     */
    public CompletableFuture<Void> relaunch(Supplier<LaunchCommand> newCommands) {
        return relaunch(newCommands, () -> CompletableFuture.completedFuture(null), false);
    }

    /**
     * A relaunch queued behind any other under way. From the call until the new server is launched the instance
     * reports {@link #relaunching()}, so the request path sends it nothing new and waits for it instead of calling
     * it down; the old server keeps serving what it has until {@code drained} completes.
     *
     * @param drained       completes when the instance has no request in flight (bounded by the caller)
     * @param onlyIfRunning leave the server stopped if it was stopped on purpose before this relaunch's turn or while
     *                      it drained (its next start takes the new command line anyway); a speculation change asks
     *                      this, a residency move (which starts a stopped role) does not
     */
    public CompletableFuture<Void> relaunch(Supplier<LaunchCommand> newCommands,
            Supplier<CompletableFuture<Void>> drained, boolean onlyIfRunning) {
        synchronized (this) {
            relaunchesPending.incrementAndGet();
            AtomicBoolean counted = new AtomicBoolean();
            Runnable launched = () -> {
                if (counted.compareAndSet(false, true)) {
                    relaunchesPending.decrementAndGet();
                }
            };
            CompletableFuture<Void> mine = relaunches.handle((v, e) -> null)
                    .thenCompose(v -> relaunchTurn(newCommands, drained, onlyIfRunning, launched))
                    .whenComplete((v, e) -> launched.run());
            relaunches = mine;
            return mine;
        }
    }

    /** @param launched run once the new server is STARTING (under the lock, so no READY can come before it) */
    private CompletableFuture<Void> relaunchTurn(Supplier<LaunchCommand> newCommands,
            Supplier<CompletableFuture<Void>> drained, boolean onlyIfRunning, Runnable launched) {
        long stopsBefore;
        synchronized (this) {
            if (onlyIfRunning && !wanted) {
                this.commands = newCommands;
                return CompletableFuture.completedFuture(null);
            }
            stopsBefore = stopsRequested;
        }
        return drained.get().thenCompose(v -> halt()).thenRun(() -> {
            synchronized (this) {
                this.commands = newCommands;
                this.consecutiveFailures = 0;
                if (onlyIfRunning && stopsRequested != stopsBefore) {
                    return; // stopped on purpose while this relaunch drained: it stays stopped
                }
                start();
                launched.run();
            }
        });
    }

    /** A relaunch is asked for or under way and its new server not launched yet: take no new request, wait for it. */
    @Override
    public boolean relaunching() {
        return relaunchesPending.get() > 0;
    }

    private synchronized void launch(String why) {
        if (!wanted) {
            return;
        }
        current = commands.get();
        machine.moveTo(ServerState.STARTING, why);
        try {
            handle = launcher.launch(current);
        } catch (LaunchException e) {
            fail("launch failed: " + e.getMessage());
            return;
        }
        launchedAtNanos = System.nanoTime();
        readyAtNanos = 0;
        ServerHandle mine = handle;
        mine.exit().whenComplete((code, err) -> onExit(mine, code == null ? -1 : code));
        scheduleProbe(0);
    }

    private synchronized void scheduleProbe(long delayMs) {
        if (probeTask != null) {
            probeTask.cancel(false);
        }
        probeTask = scheduler.schedule(this::probeOnce, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * One {@code /health} probe. Every decision is taken under the lock and only for the run that was probed: a
     * probe or an exit of an earlier run (stopped, crashed, replaced) must never move the state of the current one.
     */
    private void probeOnce() {
        ServerHandle mine;
        java.net.URI url;
        synchronized (this) {
            mine = handle;
            if (!wanted || mine == null || !mine.alive()) {
                return;
            }
            url = current.baseUrl();
        }
        Readiness r = probe.probe(url);
        synchronized (this) {
            ServerState s = state();
            if (mine != handle || !wanted || s == ServerState.STOPPING || s == ServerState.STOPPED
                    || s == ServerState.FAILED) {
                return;
            }
            switch (r) {
                case READY -> {
                    if (s != ServerState.READY) {
                        readyAtNanos = System.nanoTime();
                        machine.moveTo(ServerState.READY, "health 200 after "
                                + (readyAtNanos - launchedAtNanos) / 1_000_000 + " ms");
                    }
                    scheduleProbe(PROBE_WHILE_READY_MS);
                }
                case LOADING -> {
                    machine.moveTo(ServerState.LOADING, "health 503 loading");
                    checkLoadTimeout(mine);
                }
                case DOWN -> {
                    if (s == ServerState.READY) {
                        LOG.warnf("%s stopped answering /health while ready", instanceId());
                    }
                    checkLoadTimeout(mine);
                }
            }
        }
    }

    private synchronized void checkLoadTimeout(ServerHandle mine) {
        long waitedMs = (System.nanoTime() - launchedAtNanos) / 1_000_000;
        if (state() != ServerState.READY && waitedMs > loadTimeout.toMillis()) {
            fail("not ready after " + waitedMs + " ms (load timeout " + loadTimeout.toMillis() + " ms)");
            mine.kill();
            return;
        }
        scheduleProbe(state() == ServerState.READY ? PROBE_WHILE_READY_MS : PROBE_WHILE_LOADING_MS);
    }

    private synchronized void onExit(ServerHandle which, int code) {
        if (which != handle) {
            return; // an earlier run; the current one is not affected
        }
        if (!wanted) {
            machine.moveTo(ServerState.STOPPED, "exited with code " + code + " after stop");
            return;
        }
        if (state() != ServerState.FAILED) {
            fail("exited unexpectedly with code " + code);
        } else {
            scheduleRestart();
        }
    }

    private synchronized void fail(String reason) {
        machine.moveTo(ServerState.FAILED, reason);
        ServerHandle h = handle;
        if (h == null || !h.alive()) {
            scheduleRestart();
        }
        // else: the exit callback schedules the restart once the process is gone
    }

    private synchronized void scheduleRestart() {
        if (!wanted || (restartTask != null && !restartTask.isDone())) {
            return;
        }
        long upMs = readyAtNanos == 0 ? 0 : (System.nanoTime() - readyAtNanos) / 1_000_000;
        if (upMs >= restartPolicy.stableMs()) {
            consecutiveFailures = 0;
        }
        consecutiveFailures++;
        long delay = restartPolicy.delayMs(consecutiveFailures);
        LOG.infof("%s: restart %d in %d ms", instanceId(), consecutiveFailures, delay);
        restartTask = scheduler.schedule(() -> {
            synchronized (ManagedServer.this) {
                if (!wanted) {
                    return;
                }
                restarts++;
            }
            launch("restart after failure #" + consecutiveFailures);
        }, delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<Void> stop() {
        synchronized (this) {
            stopsRequested++;
        }
        return halt();
    }

    /** Stops the current run; {@link #stop()} and a relaunch's own stop both come here. */
    private CompletableFuture<Void> halt() {
        ServerHandle h;
        synchronized (this) {
            wanted = false;
            if (restartTask != null) {
                restartTask.cancel(false);
            }
            if (probeTask != null) {
                probeTask.cancel(false);
            }
            h = handle;
            if (h == null || !h.alive()) {
                machine.moveTo(ServerState.STOPPED, "stop requested");
                return CompletableFuture.completedFuture(null);
            }
            machine.moveTo(ServerState.STOPPING, "stop requested");
        }
        h.terminate();
        ScheduledFuture<?> killer = scheduler.schedule(() -> {
            if (h.alive()) {
                LOG.warnf("%s did not exit within %d ms of SIGTERM; killing it", instanceId(), stopGrace.toMillis());
                h.kill();
            }
        }, stopGrace.toMillis(), TimeUnit.MILLISECONDS);
        return h.exit().handle((c, e) -> {
            killer.cancel(false);
            synchronized (ManagedServer.this) {
                if (handle == h && !wanted) {
                    machine.moveTo(ServerState.STOPPED, "exited with code " + c);
                }
            }
            return null;
        });
    }

    @Override
    public synchronized int restarts() {
        return restarts;
    }

    @Override
    public OptionalLong pid() {
        ServerHandle h = handle;
        return h == null ? OptionalLong.empty() : h.pid();
    }

    /** The current run's handle (for tests and crash injection). */
    ServerHandle handle() {
        return handle;
    }
}
