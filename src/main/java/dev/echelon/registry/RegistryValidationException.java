package dev.echelon.registry;

import java.util.List;

/** The registry is invalid. Carries every problem found, each as {@code file: key.path: reason}. */
public final class RegistryValidationException extends RuntimeException {

    private final List<String> errors;

    public RegistryValidationException(List<String> errors) {
        super(format(errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }

    private static String format(List<String> errors) {
        StringBuilder sb = new StringBuilder("model registry is invalid (")
                .append(errors.size()).append(errors.size() == 1 ? " error" : " errors").append("):");
        errors.forEach(e -> sb.append("\n  ").append(e));
        return sb.toString();
    }
}
