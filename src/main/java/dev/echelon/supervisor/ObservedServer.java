package dev.echelon.supervisor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** What every {@link ServerProcess} shares: its identity and its state machine with listeners and history. */
abstract class ObservedServer implements ServerProcess {

    private final String instanceId;
    private final String role;
    protected final StateMachine machine;

    ObservedServer(String instanceId, String role) {
        this.instanceId = instanceId;
        this.role = role;
        this.machine = new StateMachine(instanceId);
    }

    @Override
    public final String instanceId() {
        return instanceId;
    }

    @Override
    public final String role() {
        return role;
    }

    @Override
    public final ServerState state() {
        return machine.state();
    }

    @Override
    public final CompletableFuture<Void> awaitReady(Duration timeout) {
        return machine.awaitReady(timeout);
    }

    @Override
    public final Runnable onChange(Consumer<StateChange> listener) {
        return machine.onChange(listener);
    }

    @Override
    public final List<StateChange> history() {
        return machine.history();
    }
}
