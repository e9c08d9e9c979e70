package dev.echelon.tools;

import java.net.InetAddress;

/**
 * Only globally routable unicast addresses. Everything a server-side request forgery would aim at is refused:
 * loopback, private and CGNAT ranges, link-local (cloud metadata lives at 169.254.169.254), unspecified, multicast,
 * broadcast and reserved space, and IPv6 forms that embed an IPv4 address (mapped, compatible, 6to4, NAT64), which
 * are judged by the address they carry.
 */
public final class PublicAddressPolicy implements AddressPolicy {

    public static final PublicAddressPolicy INSTANCE = new PublicAddressPolicy();

    private PublicAddressPolicy() {}

    @Override
    public String refusal(InetAddress address) {
        byte[] b = address.getAddress();
        String shown = address.getHostAddress();
        return b.length == 4 ? v4(b, shown) : v6(b, shown);
    }

    private static String v4(byte[] b, String shown) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        int a3 = b[3] & 0xff;
        if (a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0) {
            return shown + " is the unspecified address";
        }
        if (a0 == 0) {
            return shown + " is in 0.0.0.0/8 (this network), which reaches the local host";
        }
        if (a0 == 127) {
            return shown + " is a loopback address";
        }
        if (a0 == 169 && a1 == 254) {
            if (a2 == 169 && a3 == 254) {
                return shown + " is the cloud metadata address (link-local)";
            }
            return shown + " is a link-local address";
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return shown + " is a private address";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return shown + " is a private address (carrier-grade NAT, 100.64.0.0/10)";
        }
        if (a0 >= 224 && a0 <= 239) {
            return shown + " is a multicast address";
        }
        if (a0 == 255 && a1 == 255 && a2 == 255 && a3 == 255) {
            return shown + " is the broadcast address";
        }
        if (a0 >= 240) {
            return shown + " is a reserved address";
        }
        if ((a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
                || (a0 == 198 && (a1 == 18 || a1 == 19))
                || (a0 == 198 && a1 == 51 && a2 == 100)
                || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return shown + " is a reserved address (protocol, benchmarking or documentation range)";
        }
        return null;
    }

    private static String v6(byte[] b, String shown) {
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= b[i] == 0;
        }
        boolean firstTwelveZero = firstTenZero && b[10] == 0 && b[11] == 0;
        if (firstTwelveZero && b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1)) {
            return b[15] == 0 ? shown + " is the unspecified address" : shown + " is a loopback address";
        }
        // Java usually hands ::ffff:a.b.c.d back as an Inet4Address already; this covers the cases it does not.
        if (firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded(b, 12, shown, "an IPv4-mapped address");
        }
        if (firstTwelveZero) {
            return embedded(b, 12, shown, "an IPv4-compatible address");
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        int w1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (w0 == 0x2002) {
            return embedded(b, 2, shown, "a 6to4 address");
        }
        if (w0 == 0x0064 && w1 == 0xff9b) {
            if (b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0
                    && b[11] == 0) {
                return embedded(b, 12, shown, "a NAT64 address");
            }
            return shown + " is a local-use NAT64 address";
        }
        if (w0 == 0x2001 && w1 == 0) {
            // Teredo obscures the client address it carries; nothing legitimate for a fetch lives there.
            return shown + " is a Teredo tunnel address";
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return shown + " is a documentation address";
        }
        if ((w0 & 0xfe00) == 0xfc00) {
            return shown + " is a private address (unique local, fc00::/7)";
        }
        if ((w0 & 0xffc0) == 0xfe80) {
            return shown + " is a link-local address";
        }
        if ((w0 & 0xffc0) == 0xfec0) {
            return shown + " is a site-local address";
        }
        if ((w0 & 0xff00) == 0xff00) {
            return shown + " is a multicast address";
        }
        if (w0 == 0x0100 && w1 == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
            return shown + " is a discard-only address";
        }
        return null;
    }

    private static String embedded(byte[] b, int offset, String shown, String kind) {
        byte[] v4 = {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]};
        String inner = (v4[0] & 0xff) + "." + (v4[1] & 0xff) + "." + (v4[2] & 0xff) + "." + (v4[3] & 0xff);
        String why = v4(v4, inner);
        return why == null ? null : shown + " is " + kind + " embedding " + why;
    }
}
