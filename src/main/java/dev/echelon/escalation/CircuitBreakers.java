package dev.echelon.escalation;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One circuit breaker per backend instance id.
 *
 * <pre>
 * CLOSED --N consecutive failures--> OPEN --cool-down elapsed--> HALF_OPEN --probe succeeds--> CLOSED
 *                                     ^                              |
 *                                     +-------probe fails------------+   (cool-down doubles, up to a cap)
 * </pre>
 *
 * In HALF_OPEN exactly one caller of {@link #allow} gets {@code true} (the probe); the others are refused until the
 * probe reports {@link #success} or {@link #failure}. A probe that never reports (its caller vanished) is presumed
 * lost after one cool-down, and the next caller becomes the probe. Unknown instances are CLOSED. Thread-safe; the clock
 * is injectable for tests.
 */
public final class CircuitBreakers {

    public enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    /**
     * @param failureThreshold consecutive failures that open a closed breaker
     * @param coolDown         first time an opened breaker stays open
     * @param maxCoolDown      cap on the doubling cool-down after failed probes
     */
    public record Settings(int failureThreshold, Duration coolDown, Duration maxCoolDown) {

        public static final Settings DEFAULT = new Settings(5, Duration.ofSeconds(10), Duration.ofMinutes(5));

        public Settings {
            if (failureThreshold < 1) {
                throw new IllegalArgumentException("failureThreshold must be >= 1 (was " + failureThreshold + ")");
            }
            Objects.requireNonNull(coolDown, "coolDown");
            Objects.requireNonNull(maxCoolDown, "maxCoolDown");
            if (coolDown.isNegative() || coolDown.isZero()) {
                throw new IllegalArgumentException("coolDown must be positive (was " + coolDown + ")");
            }
            if (maxCoolDown.compareTo(coolDown) < 0) {
                throw new IllegalArgumentException("maxCoolDown (" + maxCoolDown + ") must be >= coolDown (" + coolDown + ")");
            }
        }
    }

    private final Settings settings;
    private final LongSupplier nanoClock;
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

    /** @param nanoClock monotonic time in nanoseconds, e.g. {@code System::nanoTime} */
    public CircuitBreakers(Settings settings, LongSupplier nanoClock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public CircuitBreakers(Settings settings) {
        this(settings, System::nanoTime);
    }

    public CircuitBreakers() {
        this(Settings.DEFAULT);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Whether a request may be sent to the instance now. In HALF_OPEN this claims the single probe, so call it only
     * when about to send, and report the result with {@link #success} or {@link #failure}.
     */
    public boolean allow(String instanceId) {
        return breaker(instanceId).allow(nanoClock.getAsLong());
    }

    public void success(String instanceId) {
        breaker(instanceId).success();
    }

    public void failure(String instanceId) {
        breaker(instanceId).failure(nanoClock.getAsLong());
    }

    /** The state now; an OPEN breaker whose cool-down has elapsed reads (and becomes) HALF_OPEN. */
    public State state(String instanceId) {
        Breaker b = breakers.get(instanceId);
        return b == null ? State.CLOSED : b.state(nanoClock.getAsLong());
    }

    /** Whether a call to {@link #allow} would be refused now; claims nothing. */
    public boolean refusing(String instanceId) {
        Breaker b = breakers.get(instanceId);
        return b != null && b.refusing(nanoClock.getAsLong());
    }

    /**
     * Whether every one of these instances would refuse a request now (open within its cool-down, or half-open with
     * its probe taken). {@code false} for an empty collection: no instance is known to be open.
     */
    public boolean allOpen(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return false;
        }
        for (String id : instanceIds) {
            if (!refusing(id)) {
                return false;
            }
        }
        return true;
    }

    /** Current cool-down of an instance (the base cool-down unless failed probes doubled it). */
    public Duration coolDown(String instanceId) {
        Breaker b = breakers.get(instanceId);
        return b == null ? settings.coolDown() : Duration.ofNanos(b.coolDownNanos());
    }

    /** Every known instance's state, sorted by id, for {@code /admin}. */
    public Map<String, State> snapshot() {
        long now = nanoClock.getAsLong();
        Map<String, State> out = new TreeMap<>();
        breakers.forEach((id, b) -> out.put(id, b.state(now)));
        return out;
    }

    private Breaker breaker(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return breakers.computeIfAbsent(instanceId, id -> new Breaker());
    }

    private final class Breaker {
        private State state = State.CLOSED;
        private int consecutiveFailures;
        private long openedAt;
        private long coolDownNanos = settings.coolDown().toNanos();
        private boolean probeOut;
        private long probeAt;

        synchronized boolean allow(long now) {
            advance(now);
            switch (state) {
                case CLOSED:
                    return true;
                case OPEN:
                    return false;
                default: // HALF_OPEN
                    if (probeOut && now - probeAt < coolDownNanos) {
                        return false;
                    }
                    probeOut = true;
                    probeAt = now;
                    return true;
            }
        }

        synchronized void success() {
            state = State.CLOSED;
            consecutiveFailures = 0;
            probeOut = false;
            coolDownNanos = settings.coolDown().toNanos();
        }

        synchronized void failure(long now) {
            advance(now);
            switch (state) {
                case CLOSED -> {
                    if (++consecutiveFailures >= settings.failureThreshold()) {
                        open(now);
                    }
                }
                case HALF_OPEN -> {
                    coolDownNanos = Math.min(coolDownNanos * 2, settings.maxCoolDown().toNanos());
                    open(now);
                }
                case OPEN -> {
                    // a late report from a request let through before the breaker opened: already open
                }
            }
        }

        synchronized State state(long now) {
            advance(now);
            return state;
        }

        synchronized boolean refusing(long now) {
            advance(now);
            return switch (state) {
                case CLOSED -> false;
                case OPEN -> true;
                case HALF_OPEN -> probeOut && now - probeAt < coolDownNanos;
            };
        }

        synchronized long coolDownNanos() {
            return coolDownNanos;
        }

        private void open(long now) {
            state = State.OPEN;
            openedAt = now;
            probeOut = false;
        }

        private void advance(long now) {
            if (state == State.OPEN && now - openedAt >= coolDownNanos) {
                state = State.HALF_OPEN;
                probeOut = false;
            }
        }
    }
}
