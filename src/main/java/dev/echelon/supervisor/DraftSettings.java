package dev.echelon.supervisor;

import dev.echelon.registry.DraftPairing;
import dev.echelon.registry.ModelRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The speculation each target role is launched with now: the registry's pairings at first, then what the pairing
 * check (an incompatible draft is turned off) and per-instance adaptation (another draft length) decide. Every launch
 * — first start, crash restart, residency relaunch — builds its flags from here, so a decision survives restarts.
 * Thread-safe.
 */
public final class DraftSettings {

    private final Map<String, SpeculationLaunch> byRole = new ConcurrentHashMap<>();
    private final Map<String, String> why = new ConcurrentHashMap<>();

    /** Every registry pairing as a draft launch, with its own lengths and p-min. */
    public static DraftSettings of(ModelRegistry registry) {
        DraftSettings s = new DraftSettings();
        for (DraftPairing p : registry.drafts()) {
            s.byRole.put(p.target(), SpeculationLaunch.draft(p.nMax(), p.nMin(), p.pMin()));
            s.why.put(p.target(), "registry pairing with " + p.draft());
        }
        return s;
    }

    /** How {@code role} speculates; {@link SpeculationLaunch#OFF} for a role without a pairing. */
    public SpeculationLaunch of(String role) {
        return byRole.getOrDefault(role, SpeculationLaunch.OFF);
    }

    /** Why the role speculates as it does (the registry, a failed pairing check, an adaptation step). */
    public Optional<String> reason(String role) {
        return Optional.ofNullable(why.get(role));
    }

    /** Sets how {@code role} speculates from its next launch on; returns the previous setting. */
    public SpeculationLaunch set(String role, SpeculationLaunch launch, String reason) {
        SpeculationLaunch old = byRole.put(role, launch);
        why.put(role, reason);
        return old == null ? SpeculationLaunch.OFF : old;
    }

    public Map<String, SpeculationLaunch> snapshot() {
        return new LinkedHashMap<>(byRole);
    }
}
