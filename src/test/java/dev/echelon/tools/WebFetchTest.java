package dev.echelon.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dns;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.Test;

/**
 * WebFetch against a MockWebServer. The server is on 127.0.0.1, which the real policy forbids, so these tests let
 * exactly that address through and keep the real policy for everything else (redirect targets included).
 */
class WebFetchTest extends LoopbackPagesTest {

    private static WebFetch fetcher(WebFetchPolicy policy) {
        return new WebFetch(policy, Dns.SYSTEM, LOOPBACK_SERVER_ONLY);
    }

    private static WebFetch fetcher() {
        return fetcher(WebFetchPolicy.defaults());
    }

    @Test
    void htmlBecomesReadableTextWithTitleAndNoScript() throws Exception {
        server.enqueue(new MockResponse()
                .setHeader("Content-Type", "text/html; charset=utf-8")
                .setBody("<!doctype html><html><head><title>Fish &amp; Chips</title>"
                        + "<style>body { color: red }</style><script>var secret = 'SCRIPT_TEXT';</script></head>"
                        + "<body><h1>Menu</h1><p>Cod   and\n chips&nbsp;&mdash; &#163;9</p>"
                        + "<noscript>NOSCRIPT_TEXT</noscript><ul><li>One</li><li>Two &lt;b&gt;</li></ul>"
                        + "<script type=\"module\">alert('SCRIPT_TEXT')</script><!-- COMMENT_TEXT --></body></html>"));

        FetchResult result = fetcher().fetch(url("/page"));

        assertEquals(200, result.status());
        assertEquals("text/html", result.contentType());
        assertEquals("Fish & Chips", result.title());
        assertEquals("Menu\n\nCod and chips — £9\n\nOne\n\nTwo <b>", result.text());
        assertFalse(result.text().contains("SCRIPT_TEXT"));
        assertFalse(result.text().contains("NOSCRIPT_TEXT"));
        assertFalse(result.text().contains("COMMENT_TEXT"));
        assertFalse(result.text().contains("color"));
        assertFalse(result.truncated());
    }

    @Test
    void jsonPassesThrough() throws Exception {
        String json = "{\"a\": [1, 2],\n  \"b\": \"<p>x</p>\"}";
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json").setBody(json));

        FetchResult result = fetcher().fetch(url("/data"));

        assertEquals(json, result.text());
        assertEquals("", result.title());
        assertEquals(json.length(), result.bytes());
    }

    @Test
    void bodyPastMaxBytesIsCutAndMarkedTruncated() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody("a".repeat(5000)));

        FetchResult result = fetcher(WebFetchPolicy.defaults().withMaxBytes(1000)).fetch(url("/big"));

        assertTrue(result.truncated());
        assertEquals(1000, result.bytes());
        assertEquals("a".repeat(1000), result.text());
    }

    @Test
    void bodyOfExactlyMaxBytesIsNotTruncated() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody("b".repeat(1000)));

        FetchResult result = fetcher(WebFetchPolicy.defaults().withMaxBytes(1000)).fetch(url("/exact"));

        assertFalse(result.truncated());
        assertEquals(1000, result.bytes());
    }

    @Test
    void slowServerRunsIntoTheTimeout() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        WebFetch fetch = fetcher(WebFetchPolicy.defaults().withTimeout(Duration.ofMillis(300)));

        InterruptedIOException e = assertThrows(InterruptedIOException.class, () -> fetch.fetch(url("/slow")));

        assertTrue(e.getMessage().contains("timed out after 300 ms"), e.getMessage());
    }

    @Test
    void redirectToMetadataAddressIsRefusedOnTheHop() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(302)
                .setHeader("Location", "http://169.254.169.254/latest/meta-data/"));

        FetchRefusedException e = assertThrows(FetchRefusedException.class, () -> fetcher().fetch(url("/go")));

        assertTrue(e.getMessage().contains("169.254.169.254 is the cloud metadata address"), e.getMessage());
        assertEquals(1, server.getRequestCount());
    }

    @Test
    void redirectToPrivateAddressIsRefusedOnTheHop() {
        server.enqueue(new MockResponse().setResponseCode(307).setHeader("Location", "http://10.1.2.3:8080/admin"));

        FetchRefusedException e = assertThrows(FetchRefusedException.class, () -> fetcher().fetch(url("/go")));

        assertTrue(e.getMessage().contains("10.1.2.3 is a private address"), e.getMessage());
    }

    @Test
    void redirectToAnotherSchemeIsRefused() {
        server.enqueue(new MockResponse().setResponseCode(301).setHeader("Location", "file:///etc/passwd"));

        FetchRefusedException e = assertThrows(FetchRefusedException.class, () -> fetcher().fetch(url("/go")));

        assertTrue(e.getMessage().contains("not file:"), e.getMessage());
    }

    @Test
    void tooManyRedirectsAreRefused() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setResponseCode(302).setHeader("Location", "/hop" + i));
        }
        WebFetch fetch = fetcher(WebFetchPolicy.defaults().withMaxRedirects(2));

        FetchRefusedException e = assertThrows(FetchRefusedException.class, () -> fetch.fetch(url("/start")));

        assertTrue(e.getMessage().contains("too many redirects (more than 2)"), e.getMessage());
        assertEquals(3, server.getRequestCount());
    }

    @Test
    void normalRedirectIsFollowed() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(301).setHeader("Location", "/final?x=1"));
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody("arrived"));

        FetchResult result = fetcher().fetch(url("/start"));

        assertEquals(200, result.status());
        assertEquals(url("/final?x=1"), result.finalUrl());
        assertEquals("arrived", result.text());
        server.takeRequest();
        assertEquals("/final?x=1", server.takeRequest().getPath());
    }

    @Test
    void errorStatusIsReturnedNotThrown() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(404).setHeader("Content-Type", "text/plain")
                .setBody("no such page"));

        FetchResult result = fetcher().fetch(url("/missing"));

        assertEquals(404, result.status());
        assertEquals("no such page", result.text());
    }

    @Test
    void binaryContentIsRefused() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "image/png").setBody("\u0089PNG"));

        FetchRefusedException e = assertThrows(FetchRefusedException.class, () -> fetcher().fetch(url("/img")));

        assertTrue(e.getMessage().contains("content type image/png is not text"), e.getMessage());
    }

    @Test
    void connectsOnlyToTheAddressesThatWereVetted() throws Exception {
        // A rebinding resolver: the first answer passes the check, later answers point inward. WebFetch must resolve
        // once per hop and hand OkHttp that vetted answer, so the later answers are never asked for or used.
        AtomicInteger lookups = new AtomicInteger();
        Dns rebinding = host -> lookups.getAndIncrement() == 0
                ? List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}))
                : List.of(InetAddress.getByAddress(host, new byte[] {10, 0, 0, 5}));
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody("pinned"));
        WebFetch fetch = new WebFetch(WebFetchPolicy.defaults(), rebinding, LOOPBACK_SERVER_ONLY);

        FetchResult result = fetch.fetch("http://rebind.example:" + server.getPort() + "/");

        assertEquals("pinned", result.text());
        assertEquals(1, lookups.get());
    }

    @Test
    void userAgentFromPolicyIsSent() throws Exception {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody("ok"));

        fetcher().fetch(url("/ua"));

        assertEquals(WebFetchPolicy.DEFAULT_USER_AGENT, server.takeRequest().getHeader("User-Agent"));
    }
}
