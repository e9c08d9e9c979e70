package dev.echelon.tools;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Fetches a URL for a model, safely. Every hop (the first request and each redirect) is vetted before any connection:
 * http(s) only, the policy's host lists, and every address the host resolves to. OkHttp is then given a resolver that
 * returns exactly the vetted addresses, so a DNS answer that changes between check and connect (rebinding) is never
 * used. Redirects are followed by hand for the same reason.
 */
public final class WebFetch {

    private static final Pattern SCHEME = Pattern.compile("^\\s*([a-zA-Z][a-zA-Z0-9+.-]*):");
    /** Names that point inward whatever DNS says; refused before resolution. */
    private static final Set<String> INWARD_NAMES =
            Set.of("localhost", "metadata.google.internal", "metadata.goog", "metadata", "instance-data");

    private final WebFetchPolicy policy;
    private final Dns resolver;
    private final AddressPolicy addresses;
    private final OkHttpClient base;

    public WebFetch(WebFetchPolicy policy) {
        this(policy, Dns.SYSTEM, PublicAddressPolicy.INSTANCE);
    }

    /** Test hook: a resolver and address policy other than the system resolver and {@link PublicAddressPolicy}. */
    WebFetch(WebFetchPolicy policy, Dns resolver, AddressPolicy addresses) {
        this.policy = policy;
        this.resolver = resolver;
        this.addresses = addresses;
        long ms = policy.timeout().toMillis();
        this.base = new OkHttpClient.Builder()
                .followRedirects(false)
                .followSslRedirects(false)
                // A system proxy would connect on our behalf to whatever it resolves, bypassing the vetting.
                .proxy(Proxy.NO_PROXY)
                .connectTimeout(ms, TimeUnit.MILLISECONDS)
                .readTimeout(ms, TimeUnit.MILLISECONDS)
                .writeTimeout(ms, TimeUnit.MILLISECONDS)
                .build();
    }

    /**
     * Fetches the URL and returns its readable text.
     *
     * @throws FetchRefusedException when policy forbids the URL, a redirect hop, or the content type
     * @throws InterruptedIOException when the whole fetch, redirects included, runs past the policy's timeout
     * @throws IOException when the host does not resolve or the connection fails
     */
    public FetchResult fetch(String url) throws IOException {
        return fetch(url, policy.timeout());
    }

    /**
     * As {@link #fetch(String)}, within {@code limit} when that is shorter than the policy's timeout: a request's
     * own deadline bounds the fetches it makes.
     */
    public FetchResult fetch(String url, Duration limit) throws IOException {
        Duration timeout = limit.compareTo(policy.timeout()) < 0 ? limit : policy.timeout();
        HttpUrl current = parse(url, null);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int hop = 0; ; hop++) {
            List<InetAddress> vetted = vet(current);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut(current, timeout);
            }
            String host = current.host();
            OkHttpClient client = base.newBuilder()
                    .dns(name -> {
                        if (name.equalsIgnoreCase(host)) {
                            return vetted;
                        }
                        throw new UnknownHostException(name + " was not vetted");
                    })
                    .callTimeout(left, TimeUnit.NANOSECONDS)
                    .build();
            Request request = new Request.Builder()
                    .url(current)
                    .header("User-Agent", policy.userAgent())
                    .header("Accept", "text/html, text/plain, application/json;q=0.9, */*;q=0.1")
                    .build();
            try (Response response = client.newCall(request).execute()) {
                String location = response.header("Location");
                if (response.isRedirect() && location != null) {
                    if (hop >= policy.maxRedirects()) {
                        throw new FetchRefusedException(
                                "too many redirects (more than " + policy.maxRedirects() + ")");
                    }
                    current = parse(location, current);
                    continue;
                }
                return read(response, current);
            } catch (InterruptedIOException e) {
                throw timedOut(current, timeout);
            }
        }
    }

    private static InterruptedIOException timedOut(HttpUrl url, Duration t) {
        return new InterruptedIOException("fetching " + url + " timed out after " + t.toMillis() + " ms");
    }

    private static HttpUrl parse(String raw, HttpUrl base) {
        if (raw == null || raw.isBlank()) {
            throw new FetchRefusedException("no URL given");
        }
        Matcher m = SCHEME.matcher(raw);
        if (m.find()) {
            String scheme = m.group(1).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new FetchRefusedException("only http and https URLs may be fetched, not " + scheme + ":");
            }
        } else if (base == null) {
            throw new FetchRefusedException("only absolute http and https URLs may be fetched: " + raw);
        }
        HttpUrl url = base == null ? HttpUrl.parse(raw.strip()) : base.resolve(raw.strip());
        if (url == null) {
            throw new FetchRefusedException("not a valid http(s) URL: " + raw);
        }
        return url;
    }

    private List<InetAddress> vet(HttpUrl url) throws UnknownHostException {
        String host = WebFetchPolicy.stripDot(url.host().toLowerCase(Locale.ROOT));
        String listed = policy.listRefusal(host);
        if (listed != null) {
            throw new FetchRefusedException(listed);
        }
        if (host.contains(":")) {
            // An IPv6 literal; getByName parses it without any lookup.
            return List.of(checked(InetAddress.getByName(host), null));
        }
        if (NumericHost.looksNumeric(host)) {
            byte[] v4 = NumericHost.parseIpv4(host);
            if (v4 == null) {
                throw new FetchRefusedException(host + " is a numeric host that is not a valid IPv4 address");
            }
            return List.of(checked(InetAddress.getByAddress(v4), host));
        }
        for (String inward : INWARD_NAMES) {
            if (host.equals(inward) || host.endsWith("." + inward)) {
                throw new FetchRefusedException(host + (inward.equals("localhost")
                        ? " names the local host (loopback)"
                        : " is a cloud metadata host name"));
            }
        }
        List<InetAddress> resolved = resolver.lookup(host);
        if (resolved.isEmpty()) {
            throw new UnknownHostException(host + " did not resolve");
        }
        // Every answer must pass: OkHttp may try any of them, and one inward answer is enough for an attack.
        for (InetAddress a : resolved) {
            checked(a, host);
        }
        return List.copyOf(resolved);
    }

    private InetAddress checked(InetAddress address, String host) {
        String why = addresses.refusal(address);
        if (why != null) {
            throw new FetchRefusedException(
                    host == null || host.equals(address.getHostAddress()) ? why : host + " resolves to " + why);
        }
        return address;
    }

    private FetchResult read(Response response, HttpUrl url) throws IOException {
        ResponseBody body = response.body();
        MediaType type = body == null ? null : body.contentType();
        String contentType = type == null ? "" : type.type() + "/" + type.subtype();
        if (type != null && !textual(type)) {
            throw new FetchRefusedException("content type " + contentType + " is not text");
        }
        Buffer buffer = new Buffer();
        if (body != null) {
            BufferedSource source = body.source();
            // Read one byte past the limit so "exactly maxBytes" and "more than maxBytes" can be told apart.
            while (buffer.size() <= policy.maxBytes()) {
                long want = Math.min(8192, policy.maxBytes() + 1 - buffer.size());
                if (source.read(buffer, want) == -1) {
                    break;
                }
            }
        }
        boolean truncated = buffer.size() > policy.maxBytes();
        long bytes = Math.min(buffer.size(), policy.maxBytes());
        Charset charset = type == null ? StandardCharsets.UTF_8 : type.charset(StandardCharsets.UTF_8);
        String raw = new String(buffer.readByteArray(bytes), charset);
        if (type != null && (type.subtype().equals("html") || type.subtype().equals("xhtml+xml"))) {
            HtmlText html = HtmlToText.convert(raw);
            return new FetchResult(url.toString(), response.code(), contentType, html.title(), html.text(),
                    truncated, bytes);
        }
        return new FetchResult(url.toString(), response.code(), contentType, "", raw, truncated, bytes);
    }

    private static boolean textual(MediaType type) {
        String sub = type.subtype();
        return type.type().equals("text")
                || sub.equals("json") || sub.endsWith("+json")
                || sub.equals("xml") || sub.endsWith("+xml")
                || sub.equals("javascript") || sub.equals("x-ndjson");
    }
}
