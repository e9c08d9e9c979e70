package dev.echelon.supervisor;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Times each server's load — from the moment it was started until it first answered ready — into
 * {@code echelon.backend.load.duration{role}}: the cost of a cold start or a residency move as the backend paid it,
 * beside the ledger's planned and measured transition times. A start that fails before ready is not a load time.
 */
public final class LoadDurations implements Consumer<StateChange> {

    private final MeterRegistry metrics;
    private final Function<String, String> roleOf;
    private final Map<String, Instant> started = new ConcurrentHashMap<>();

    /** @param roleOf the role of an instance id */
    public LoadDurations(MeterRegistry metrics, Function<String, String> roleOf) {
        this.metrics = metrics;
        this.roleOf = roleOf;
    }

    @Override
    public void accept(StateChange change) {
        switch (change.to()) {
            case STARTING -> started.put(change.instanceId(), change.at());
            case LOADING -> started.putIfAbsent(change.instanceId(), change.at());
            case READY -> {
                Instant since = started.remove(change.instanceId());
                if (since != null) {
                    Timer.builder("echelon.backend.load.duration")
                            .description("Time from a server's start until it answered ready")
                            .tag("role", roleOf.apply(change.instanceId())).register(metrics)
                            .record(Duration.between(since, change.at()));
                }
            }
            case FAILED, STOPPING, STOPPED -> started.remove(change.instanceId());
        }
    }
}
