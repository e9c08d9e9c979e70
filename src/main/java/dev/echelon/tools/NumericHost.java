package dev.echelon.tools;

/**
 * Reads a host the way URL parsers and resolvers read numeric IPv4 forms: one to four dot-separated parts, each
 * decimal, octal (leading 0) or hex (0x), the last part filling the remaining bytes. So 2130706433, 0x7f000001,
 * 0177.0.0.1 and 127.1 all come out as 127.0.0.1 and get judged as such, instead of reaching a resolver that might
 * read them differently from the check.
 */
final class NumericHost {

    private NumericHost() {}

    /** True when the host's last label is numeric, which makes the whole host an IPv4 literal (WHATWG URL rule). */
    static boolean looksNumeric(String host) {
        String[] parts = host.split("\\.", -1);
        String last = parts[parts.length - 1];
        if (last.isEmpty() && parts.length > 1) {
            last = parts[parts.length - 2];
        }
        return !last.isEmpty() && (last.chars().allMatch(Character::isDigit) || last.matches("(?i)0x[0-9a-f]*"));
    }

    /** The four address bytes, or null when the numeric host is not a valid IPv4 address. */
    static byte[] parseIpv4(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String[] parts = h.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long v = part(parts[i]);
            if (v == null) {
                return null;
            }
            values[i] = v;
        }
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                return null;
            }
        }
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * (5 - parts.length))) {
            return null;
        }
        long address = last;
        for (int i = 0; i < parts.length - 1; i++) {
            address += values[i] << (8 * (3 - i));
        }
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    private static Long part(String s) {
        int radix = 10;
        String digits = s;
        if (s.length() >= 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            radix = 16;
            digits = s.substring(2);
            if (digits.isEmpty()) {
                return 0L;
            }
        } else if (s.length() > 1 && s.startsWith("0")) {
            radix = 8;
            digits = s.substring(1);
        }
        if (digits.isEmpty() || digits.length() > 12) {
            return null;
        }
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
