package dev.echelon.config;

/** A deployment setting ({@code orchestrator.*}, i.e. an {@code ORCHESTRATOR_*} variable) with a value Echelon refuses. */
public final class InvalidSettingException extends IllegalArgumentException {

    public InvalidSettingException(String property, String message) {
        super(property + " (" + env(property) + "): " + message);
    }

    private static String env(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
