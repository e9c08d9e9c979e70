package dev.echelon.pipeline;

import dev.echelon.registry.ResidencyState;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/** A residency controller told where each role stands; it records the signals the pipeline sends it. */
final class ScriptedResidency implements ResidencyView {

    final List<String> signals = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, RoleStanding> standings = new ConcurrentHashMap<>();
    private final Map<String, String> overflows = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final long waitMs;

    ScriptedResidency(long waitMs) {
        this.waitMs = waitMs;
    }

    /**
     * Holds {@code role} in {@code state} (S4 cold, S5 moving, S6 substituted; a running state: held by a decision)
     * with {@code fallback}.
     */
    ScriptedResidency hold(String role, ResidencyState state, String fallback) {
        Standing s = switch (state) {
            case S4 -> Standing.COLD;
            case S5 -> Standing.MOVING;
            case S6 -> Standing.SUBSTITUTED;
            default -> Standing.WAITING;
        };
        standings.put(role, new RoleStanding(s, Optional.of(state), Optional.ofNullable(fallback)));
        listeners.forEach(l -> l.accept(role));
        return this;
    }

    /** Tells every request for {@code role} that is still on it to overflow to {@code fallback}. */
    ScriptedResidency overflow(String role, String fallback) {
        overflows.put(role, fallback);
        return this;
    }

    @Override
    public Optional<String> overflowTo(String role, int promptTokens, ToDoubleFunction<String> queueWaitSeconds) {
        signals.add("overflow asked for " + role + " (wait " + queueWaitSeconds.applyAsDouble(role) + " s)");
        return Optional.ofNullable(overflows.get(role));
    }

    /** The role landed: it serves again. */
    void release(String role) {
        standings.remove(role);
        listeners.forEach(l -> l.accept(role));
    }

    @Override
    public RoleStanding standing(String role) {
        return standings.getOrDefault(role, RoleStanding.UNMANAGED);
    }

    @Override
    public long waitMs() {
        return waitMs;
    }

    @Override
    public void firstToken(String role, double ttftSeconds) {
        signals.add("first token " + role);
    }

    @Override
    public void requested(String role, int promptTokens, int maxOutputTokens) {
        signals.add("requested " + role);
    }

    @Override
    public void waitsBound(String role) {
        signals.add("waits bound " + role);
    }

    @Override
    public void weakAnswer(String role, String likelyNext) {
        signals.add("weak " + role + "→" + likelyNext);
    }

    @Override
    public void onStandingChange(Consumer<String> listener) {
        listeners.add(listener);
    }
}
