package dev.echelon.simulate;

import java.util.Arrays;
import java.util.Locale;

/** The shapes of traffic the simulator generates; every family but {@link #STEADY} shifts between roles. */
public enum TraceFamily {
    WORKDAY("workday", true, "morning chat (front door, worker) → midday code (coder) → afternoon math + architecture"),
    BURSTS("bursts", true, "chat baseline with 45–120 s bursts of math, code or architecture every ~6 min"),
    ALTERNATING("alternating", true, "coder and architect alternate every 1–3 min (A/B/A/B), light chat beside"),
    SCAN("scan", true, "each role in turn gets the traffic for a tenth of the trace, twice over"),
    LONG_IDLE("long-idle", true, "mostly idle: one request every ~4 min to a random role"),
    DRIFT("drift", true, "the mix drifts slowly from chat to code to architecture"),
    STEADY("steady", false, "the control: a constant mix of every role, no shift");

    private final String id;
    private final boolean shifting;
    private final String description;

    TraceFamily(String id, boolean shifting, String description) {
        this.id = id;
        this.shifting = shifting;
        this.description = description;
    }

    public String id() {
        return id;
    }

    /** Whether the mix of roles changes over the trace (the target applies to these). */
    public boolean shifting() {
        return shifting;
    }

    public String description() {
        return description;
    }

    public static TraceFamily parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.id.equals(k) || f.name().equalsIgnoreCase(k)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown trace family '" + s + "' (known: "
                        + Arrays.stream(values()).map(TraceFamily::id).toList() + ")"));
    }
}
