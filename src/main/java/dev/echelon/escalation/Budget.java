package dev.echelon.escalation;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * What one request may spend on retries and escalations. Every loop in {@link EscalationPolicy} is bounded by one of
 * these four numbers.
 *
 * @param maxRetries     further attempts on the same role (retries and think-harder together), per role
 * @param maxEscalations moves to another role over the whole request, lateral fallbacks included
 * @param maxTotalTokens generated (completion) tokens summed over all attempts of the request: what escalation
 *                       spends; the prompt is bounded separately, by the role's context size
 * @param deadline       wall time from the request's start after which nothing new is attempted
 */
public record Budget(int maxRetries, int maxEscalations, long maxTotalTokens, Duration deadline) {

    /** 2 retries per role, 3 escalations, 16384 tokens, 120 s. */
    public static final Budget DEFAULT = new Budget(2, 3, 16_384, Duration.ofSeconds(120));

    public Budget {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0 (was " + maxRetries + ")");
        }
        if (maxEscalations < 0) {
            throw new IllegalArgumentException("maxEscalations must be >= 0 (was " + maxEscalations + ")");
        }
        if (maxTotalTokens <= 0) {
            throw new IllegalArgumentException("maxTotalTokens must be > 0 (was " + maxTotalTokens + ")");
        }
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be a positive duration (was " + deadline + ")");
        }
    }

    /**
     * Config-friendly factory: any {@code null} argument takes its value from {@link #DEFAULT}, so optional
     * configuration properties can be passed straight through.
     */
    public static Budget of(Integer maxRetries, Integer maxEscalations, Long maxTotalTokens, Duration deadline) {
        return new Budget(
                maxRetries != null ? maxRetries : DEFAULT.maxRetries,
                maxEscalations != null ? maxEscalations : DEFAULT.maxEscalations,
                maxTotalTokens != null ? maxTotalTokens : DEFAULT.maxTotalTokens,
                deadline != null ? deadline : DEFAULT.deadline);
    }

    /**
     * From a flat map such as a YAML block or a set of properties. Keys (snake_case or camelCase):
     * {@code max_retries}, {@code max_escalations}, {@code max_total_tokens}, {@code deadline} (a number of
     * milliseconds, {@code 120s}/{@code 2m}/{@code 500ms}, or ISO-8601 {@code PT2M}) or {@code deadline_ms}. Missing
     * keys take their default; unknown keys are rejected so a typo does not silently fall back to a default.
     */
    public static Budget fromConfig(Map<String, ?> values) {
        Integer retries = null;
        Integer escalations = null;
        Long tokens = null;
        Duration deadline = null;
        for (Map.Entry<String, ?> e : values.entrySet()) {
            String key = e.getKey().replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
            Object v = e.getValue();
            if (v == null) {
                continue;
            }
            switch (key) {
                case "maxretries" -> retries = (int) asLong(e.getKey(), v);
                case "maxescalations" -> escalations = (int) asLong(e.getKey(), v);
                case "maxtotaltokens" -> tokens = asLong(e.getKey(), v);
                case "deadline" -> deadline = asDuration(e.getKey(), v);
                case "deadlinems" -> deadline = Duration.ofMillis(asLong(e.getKey(), v));
                default -> throw new IllegalArgumentException("unknown budget key '" + e.getKey()
                        + "' (expected max_retries, max_escalations, max_total_tokens, deadline or deadline_ms)");
            }
        }
        return of(retries, escalations, tokens, deadline);
    }

    public Budget withMaxRetries(int value) {
        return new Budget(value, maxEscalations, maxTotalTokens, deadline);
    }

    public Budget withMaxEscalations(int value) {
        return new Budget(maxRetries, value, maxTotalTokens, deadline);
    }

    public Budget withMaxTotalTokens(long value) {
        return new Budget(maxRetries, maxEscalations, value, deadline);
    }

    public Budget withDeadline(Duration value) {
        return new Budget(maxRetries, maxEscalations, maxTotalTokens, value);
    }

    private static long asLong(String key, Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("budget key '" + key + "' must be an integer (was '" + v + "')");
        }
    }

    static Duration asDuration(String key, Object v) {
        if (v instanceof Duration d) {
            return d;
        }
        if (v instanceof Number n) {
            return Duration.ofMillis(n.longValue());
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 1000));
            }
            if (s.endsWith("m")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 60_000));
            }
            return Duration.ofMillis(Long.parseLong(s));
        } catch (NumberFormatException | DateTimeParseException ex) {
            throw new IllegalArgumentException("budget key '" + key
                    + "' must be a duration such as 120s, 2m, 500ms, PT2M or a number of milliseconds (was '" + v + "')");
        }
    }
}
