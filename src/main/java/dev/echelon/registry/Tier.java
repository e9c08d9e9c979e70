package dev.echelon.registry;

/** The four echelons. Order matters: a request climbs from cheap (A) to expensive (B); D never serves users. */
public enum Tier {
    A("front door"),
    B("expert"),
    C("worker"),
    D("draft");

    private final String role;

    Tier(String role) {
        this.role = role;
    }

    public String role() {
        return role;
    }

    /** The model id clients use to address a whole tier (e.g. {@code tier-a}). */
    public String modelId() {
        return "tier-" + name().toLowerCase();
    }
}
