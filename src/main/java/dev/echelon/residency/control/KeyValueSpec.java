package dev.echelon.residency.control;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line form of a group of deployment settings, as the simulator takes them: {@code key=value} pairs
 * separated by commas ({@code max-share=0.04,slo-factor=3}), each key one the deployment sets, each value a number.
 * Ranges are the caller's: this only reads the pairs, refusing what is not one.
 */
final class KeyValueSpec {

    private KeyValueSpec() {
    }

    /**
     * @param defaults each known key with its default, in order (the default is the example on a key without a
     *                 value)
     * @param forms    what else the value may be, for the message on an unknown key (e.g. {@code "off, on, or "})
     * @throws IllegalArgumentException for an unknown key, a key without a value, a value that is not a number or
     *                                  a repeated key
     */
    static Map<String, Double> parse(String spec, Map<String, Double> defaults, String forms) {
        List<String> keys = List.copyOf(defaults.keySet());
        Map<String, Double> given = new LinkedHashMap<>();
        for (String pair : spec.trim().split(",", -1)) {
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).trim();
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "' (" + forms
                        + "key=value pairs separated by commas; keys: " + keys + ")");
            }
            if (eq < 0) {
                throw new IllegalArgumentException(key + " needs a value, e.g. " + key + "="
                        + plain(defaults.get(key)));
            }
            String value = pair.substring(eq + 1).trim();
            double v;
            try {
                v = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " takes a number: '" + value + "'");
            }
            if (given.put(key, v) != null) {
                throw new IllegalArgumentException(key + " is given twice");
            }
        }
        return given;
    }

    /** The pairs {@link #parse} reads back as the same values. */
    static String format(Map<String, Double> byKey) {
        StringBuilder out = new StringBuilder();
        byKey.forEach((k, v) -> out.append(out.length() == 0 ? "" : ",").append(k).append('=').append(plain(v)));
        return out.toString();
    }

    /** A number as written by hand: no trailing zeros, no exponent. */
    static String plain(double v) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).stripTrailingZeros().toPlainString() : String.valueOf(v);
    }
}
