package dev.echelon.tools;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What {@link WebFetch} may reach and how much it may take. Host patterns are either an exact host
 * ({@code example.com}) or a subdomain wildcard ({@code *.example.com}, which does not match the apex). The deny list
 * wins over the allow list; an empty allow list means any public host. Address vetting (no loopback, private,
 * link-local, metadata...) applies whatever the lists say, so an allow-listed name that resolves inward is still
 * refused.
 */
public record WebFetchPolicy(
        List<String> allowHosts,
        List<String> denyHosts,
        long maxBytes,
        Duration timeout,
        int maxRedirects,
        String userAgent) {

    public static final long DEFAULT_MAX_BYTES = 2L * 1024 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_REDIRECTS = 5;
    public static final String DEFAULT_USER_AGENT = "Echelon-WebFetch/1";

    public WebFetchPolicy {
        allowHosts = normalise(allowHosts);
        denyHosts = normalise(denyHosts);
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative");
        }
        if (userAgent == null || userAgent.isBlank()) {
            throw new IllegalArgumentException("userAgent is required");
        }
    }

    /** Any public host, 2 MiB, 10 s, 5 redirects. */
    public static WebFetchPolicy defaults() {
        return new WebFetchPolicy(
                List.of(), List.of(), DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, DEFAULT_MAX_REDIRECTS, DEFAULT_USER_AGENT);
    }

    public WebFetchPolicy withAllowHosts(List<String> hosts) {
        return new WebFetchPolicy(hosts, denyHosts, maxBytes, timeout, maxRedirects, userAgent);
    }

    public WebFetchPolicy withDenyHosts(List<String> hosts) {
        return new WebFetchPolicy(allowHosts, hosts, maxBytes, timeout, maxRedirects, userAgent);
    }

    public WebFetchPolicy withMaxBytes(long bytes) {
        return new WebFetchPolicy(allowHosts, denyHosts, bytes, timeout, maxRedirects, userAgent);
    }

    public WebFetchPolicy withTimeout(Duration limit) {
        return new WebFetchPolicy(allowHosts, denyHosts, maxBytes, limit, maxRedirects, userAgent);
    }

    public WebFetchPolicy withMaxRedirects(int redirects) {
        return new WebFetchPolicy(allowHosts, denyHosts, maxBytes, timeout, redirects, userAgent);
    }

    /** Why the host name is refused by the lists, or null when the lists let it through. */
    String listRefusal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String pattern : denyHosts) {
            if (matches(pattern, h)) {
                return host + " is on the deny list (" + pattern + ")";
            }
        }
        if (!allowHosts.isEmpty() && allowHosts.stream().noneMatch(p -> matches(p, h))) {
            return host + " is not on the allow list";
        }
        return null;
    }

    private static boolean matches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            return host.endsWith(pattern.substring(1));
        }
        return host.equals(pattern);
    }

    private static List<String> normalise(List<String> patterns) {
        if (patterns == null) {
            return List.of();
        }
        // Trailing dots are stripped on both sides so "example.com." cannot dodge a pattern for "example.com".
        return patterns.stream()
                .map(p -> stripDot(p.trim().toLowerCase(Locale.ROOT)))
                .filter(p -> !p.isEmpty())
                .toList();
    }

    static String stripDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }
}
