package dev.echelon.memory;

import java.util.Locale;
import java.util.Optional;

/**
 * What one request lets memory do, from its {@code X-Echelon-Memory} header: recall into it and remember its answer
 * ({@code on}, the default), only one of the two, or neither. A client with its own memory, or a conversation that
 * must not be kept, says so per request.
 */
public enum MemoryMode {
    ON(true, true), RECALL(true, false), RECORD(false, true), OFF(false, false);

    public static final String HEADER = "X-Echelon-Memory";

    private final boolean recalls;
    private final boolean records;

    MemoryMode(boolean recalls, boolean records) {
        this.recalls = recalls;
        this.records = records;
    }

    public boolean recalls() {
        return recalls;
    }

    public boolean records() {
        return records;
    }

    /** The mode a header value names; empty for a value that names none. Absent means {@link #ON}. */
    public static Optional<MemoryMode> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.of(ON);
        }
        return switch (header.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "1" -> Optional.of(ON);
            case "recall", "recall-only" -> Optional.of(RECALL);
            case "record", "record-only" -> Optional.of(RECORD);
            case "off", "false", "0", "none" -> Optional.of(OFF);
            default -> Optional.empty();
        };
    }
}
