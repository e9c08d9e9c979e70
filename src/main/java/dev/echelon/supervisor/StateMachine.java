package dev.echelon.supervisor;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** The state, listeners, history and ready-waiters that every kind of {@link ServerProcess} shares. */
final class StateMachine {

    private static final Logger LOG = Logger.getLogger(StateMachine.class);
    private static final int HISTORY = 64;

    private final String instanceId;
    private final List<Consumer<StateChange>> listeners = new CopyOnWriteArrayList<>();
    private final Deque<StateChange> history = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> readyWaiters = new ArrayList<>();
    private ServerState state = ServerState.STOPPED;

    StateMachine(String instanceId) {
        this.instanceId = instanceId;
    }

    synchronized ServerState state() {
        return state;
    }

    /** Moves to {@code to} (no-op if already there) and tells the listeners. */
    void moveTo(ServerState to, String reason) {
        StateChange change;
        List<CompletableFuture<Void>> wake = List.of();
        synchronized (this) {
            if (state == to) {
                return;
            }
            change = new StateChange(instanceId, state, to, Instant.now(), reason);
            state = to;
            history.addLast(change);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
            if (to == ServerState.READY || to == ServerState.STOPPED) {
                wake = new ArrayList<>(readyWaiters);
                readyWaiters.clear();
            }
        }
        if (to == ServerState.FAILED) {
            LOG.warnf("%s: %s → %s (%s)", instanceId, change.from(), to, reason);
        } else {
            LOG.debugf("%s: %s → %s (%s)", instanceId, change.from(), to, reason);
        }
        for (CompletableFuture<Void> w : wake) {
            if (to == ServerState.READY) {
                w.complete(null);
            } else {
                w.completeExceptionally(new IllegalStateException(instanceId + " was stopped"));
            }
        }
        for (Consumer<StateChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.warnf(e, "state listener failed for %s", instanceId);
            }
        }
    }

    CompletableFuture<Void> awaitReady(Duration timeout) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            if (state == ServerState.READY) {
                return CompletableFuture.completedFuture(null);
            }
            readyWaiters.add(f);
        }
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(t -> {
            synchronized (this) {
                readyWaiters.remove(f);
            }
            return CompletableFuture.failedFuture(t instanceof TimeoutException
                    ? new TimeoutException(instanceId + " not ready after " + timeout.toMillis() + " ms (state "
                            + state() + ")") : t);
        });
    }

    Runnable onChange(Consumer<StateChange> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    synchronized List<StateChange> history() {
        return List.copyOf(history);
    }
}
