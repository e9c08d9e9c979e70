package dev.echelon.registry;

/** How strict the registry check is about model files. */
public enum RegistryMode {
    /** Every role has a model with variants; launched instances need their GGUF files (outside mock mode). */
    FULL,
    /** Roles served by external URLs need no model and no files: for attaching to running servers. */
    LEAN;

    public static RegistryMode parse(String value) {
        return switch (value.trim().toLowerCase()) {
            case "full" -> FULL;
            case "lean" -> LEAN;
            default -> throw new IllegalArgumentException(
                    "ORCHESTRATOR_REGISTRY_MODE must be 'full' or 'lean' (was '" + value + "')");
        };
    }
}
