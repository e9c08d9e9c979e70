package dev.echelon.tools;

import java.net.InetAddress;

/**
 * Decides whether {@link WebFetch} may connect to an address. The real policy is {@link PublicAddressPolicy}; the
 * interface exists so tests can let a MockWebServer on 127.0.0.1 through while everything else still gets the real
 * checks.
 */
@FunctionalInterface
public interface AddressPolicy {

    /** Why the address is forbidden, or null when it may be reached. */
    String refusal(InetAddress address);
}
