package dev.echelon.config;

import dev.echelon.registry.ByteUnits;

/**
 * A byte count as an operator writes it in an environment variable: {@code 24GiB}, {@code 1.5 GB}, {@code 8000000000}
 * — the same units the registry accepts (k/M/G/T decimal, Ki/Mi/Gi/Ti binary).
 */
public final class ByteSize {

    private ByteSize() {
    }

    /**
     * @throws InvalidSettingException naming {@code setting} when {@code text} is not a positive byte count
     */
    public static long parse(String setting, String text) {
        java.util.OptionalLong bytes = ByteUnits.parse(text);
        if (bytes.isPresent()) {
            return bytes.getAsLong();
        }
        throw new InvalidSettingException(setting, "must be a positive byte count such as 8000000000 or 24GiB (was '"
                + text + "')");
    }
}
