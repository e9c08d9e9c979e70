package dev.echelon.supervisor;

import java.net.URI;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A llama-server run by someone else, at a URL from the registry: Echelon only watches its {@code /health}. */
public final class ExternalServer extends ObservedServer {

    private static final long PROBE_MS = 2_000;
    private static final long PROBE_UNTIL_READY_MS = 250;

    private final URI url;
    private final HealthProbe probe;
    private final ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> task;

    public ExternalServer(String instanceId, String role, URI url, HealthProbe probe,
            ScheduledExecutorService scheduler) {
        super(instanceId, role);
        this.url = url;
        this.probe = probe;
        this.scheduler = scheduler;
    }

    @Override
    public synchronized void start() {
        if (task != null) {
            return;
        }
        machine.moveTo(ServerState.STARTING, "watching " + url);
        task = scheduler.schedule(this::probeOnce, 0, TimeUnit.MILLISECONDS);
    }

    private void probeOnce() {
        Readiness r = probe.probe(url);
        switch (r) {
            case READY -> machine.moveTo(ServerState.READY, "health 200");
            case LOADING -> machine.moveTo(ServerState.LOADING, "health 503 loading");
            case DOWN -> machine.moveTo(ServerState.FAILED, "not answering /health at " + url);
        }
        synchronized (this) {
            if (task != null) {
                task = scheduler.schedule(this::probeOnce,
                        state() == ServerState.READY ? PROBE_MS : PROBE_UNTIL_READY_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public CompletableFuture<Void> stop() {
        synchronized (this) {
            if (task != null) {
                task.cancel(false);
                task = null;
            }
        }
        machine.moveTo(ServerState.STOPPED, "no longer watched");
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public URI baseUrl() {
        return url;
    }

    @Override
    public boolean external() {
        return true;
    }

    @Override
    public int restarts() {
        return 0;
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }
}
