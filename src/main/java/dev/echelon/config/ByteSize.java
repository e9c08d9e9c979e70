package dev.echelon.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte count as an operator writes it in an environment variable: {@code 24GiB}, {@code 1.5 GB}, {@code 8000000000}
 * — the same units the registry accepts (k/M/G/T decimal, Ki/Mi/Gi/Ti binary).
 */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile(
            "\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]i?b?|b)?\\s*", Pattern.CASE_INSENSITIVE);

    private ByteSize() {
    }

    /**
     * @throws InvalidSettingException naming {@code setting} when {@code text} is not a positive byte count
     */
    public static long parse(String setting, String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text);
        if (m.matches()) {
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
            if (scale > 0 && n > 0) {
                return (long) (n * scale);
            }
        }
        throw new InvalidSettingException(setting, "must be a positive byte count such as 8000000000 or 24GiB (was '"
                + text + "')");
    }
}
