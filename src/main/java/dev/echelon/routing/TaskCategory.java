package dev.echelon.routing;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The canonical task categories, as plain strings so that {@code model_registry.yaml} routing hints can name them
 * directly. The {@link Classifier} emits {@link #CLASSIFIED}; registry hints may also use the others (e.g. a role
 * may list {@code summarisation}), and a category nobody emits simply never matches.
 */
public final class TaskCategory {

    public static final String CHAT = "chat";
    public static final String FACTUAL = "factual";
    public static final String CODE = "code";
    public static final String MATH = "math";
    public static final String REASONING = "reasoning";
    public static final String LONG_CONTEXT = "long-context";
    public static final String ARCHITECTURE = "architecture";
    public static final String PLANNING = "planning";
    public static final String TRIAGE = "triage";
    public static final String EXPLORATION = "exploration";
    public static final String SUMMARISATION = "summarisation";

    /** What the classifier can produce. */
    public static final List<String> CLASSIFIED = List.of(CHAT, FACTUAL, CODE, MATH, REASONING, LONG_CONTEXT,
            ARCHITECTURE, PLANNING);

    /** Every category Echelon knows, in a stable order (classified ones first). */
    public static final List<String> ALL = List.of(CHAT, FACTUAL, CODE, MATH, REASONING, LONG_CONTEXT, ARCHITECTURE,
            PLANNING, TRIAGE, EXPLORATION, SUMMARISATION);

    private static final Set<String> KNOWN = Set.copyOf(ALL);

    private TaskCategory() {
    }

    /** Lower-cases and folds common spellings ({@code long_context}, {@code summarization}) onto the canonical one. */
    public static String normalise(String category) {
        String c = category.trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
        return switch (c) {
            case "longcontext", "long" -> LONG_CONTEXT;
            case "summarization", "summary" -> SUMMARISATION;
            case "coding", "programming" -> CODE;
            case "maths", "mathematics" -> MATH;
            case "design", "system-design" -> ARCHITECTURE;
            default -> c;
        };
    }

    public static boolean isKnown(String category) {
        return KNOWN.contains(normalise(category));
    }
}
