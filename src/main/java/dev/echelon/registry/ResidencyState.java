package dev.echelon.registry;

/**
 * Where a role's weights live (DESIGN.md, "The residency controller"). Declared here because the registry pins
 * roles to a floor state; the residency controller owns the transitions between states.
 */
public enum ResidencyState {
    S0("full precision, all layers in GPU memory"),
    S1("low-bit, all layers in GPU memory"),
    S2("partial: some layers in GPU memory, the rest in host RAM"),
    S3("staged in host DRAM, no GPU footprint"),
    S4("on NVMe only"),
    S5("in flight between two states"),
    S6("substituted: served by its fallback role");

    private final String meaning;

    ResidencyState(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }
}
