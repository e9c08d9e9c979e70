package dev.echelon.registry;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them, in the registry and in environment variables: {@code 24GiB}, {@code 1.5 GB},
 * {@code 8000000000} — k/M/G/T decimal, Ki/Mi/Gi/Ti binary, a trailing {@code B} optional. One parser, so the
 * registry and the settings accept exactly the same spellings.
 */
public final class ByteUnits {

    private static final Pattern SIZE = Pattern.compile(
            "\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]i?b?|b)?\\s*", Pattern.CASE_INSENSITIVE);

    private ByteUnits() {
    }

    /** The positive byte count {@code text} spells, or empty when it spells none. */
    public static OptionalLong parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT).replace("b", "");
        long scale = switch (unit) {
            case "" -> 1L;
            case "k" -> 1_000L;
            case "ki" -> 1L << 10;
            case "m" -> 1_000_000L;
            case "mi" -> 1L << 20;
            case "g" -> 1_000_000_000L;
            case "gi" -> 1L << 30;
            case "t" -> 1_000_000_000_000L;
            case "ti" -> 1L << 40;
            default -> -1L;
        };
        return scale > 0 && n > 0 ? OptionalLong.of((long) (n * scale)) : OptionalLong.empty();
    }
}
