package dev.echelon.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import okhttp3.Dns;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * web_fetch's argument handling over WebFetch: a MockWebServer on 127.0.0.1 is let through for the fetches; the
 * real address policy refuses the same server otherwise.
 */
class WebFetchToolTest extends LoopbackPagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolContext CONTEXT = new ToolContext("req-fetch", "worker", Duration.ofSeconds(30));

    private static ObjectNode args(String url, Integer maxChars) {
        ObjectNode a = JSON.createObjectNode().put("url", url);
        if (maxChars != null) {
            a.put("max_chars", maxChars);
        }
        return a;
    }

    @Test
    void aPageComesBackAsTextWithItsTitleAndStatus() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8")
                .setBody("<html><head><title>Answers</title></head><body><p>The answer is 42042.</p></body></html>"));
        WebFetchTool tool = new WebFetchTool(new WebFetch(WebFetchPolicy.defaults(), Dns.SYSTEM, LOOPBACK_SERVER_ONLY));
        ToolResult r = tool.call(args(url("/page"), null), CONTEXT);
        assertTrue(r.ok(), r.content());
        assertTrue(r.content().contains("Status: 200"), r.content());
        assertTrue(r.content().contains("Title: Answers"), r.content());
        assertTrue(r.content().contains("The answer is 42042."), r.content());
        assertFalse(r.content().contains("[truncated]"));
        assertEquals(200, r.details().path("status").asInt());
    }

    @Test
    void maxCharsCutsTheText() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody("x".repeat(500)));
        WebFetchTool tool = new WebFetchTool(new WebFetch(WebFetchPolicy.defaults(), Dns.SYSTEM, LOOPBACK_SERVER_ONLY));
        ToolResult r = tool.call(args(url("/long"), 100), CONTEXT);
        assertTrue(r.ok());
        assertTrue(r.content().endsWith("x".repeat(100) + "\n[truncated]"), r.content());
        assertFalse(r.content().contains("x".repeat(101)));
        assertTrue(r.details().path("truncated").asBoolean());
    }

    @Test
    void theRequestDeadlineBoundsTheFetch() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/plain").setBody("late")
                .setHeadersDelay(3, java.util.concurrent.TimeUnit.SECONDS));
        WebFetchTool tool = new WebFetchTool(new WebFetch(WebFetchPolicy.defaults(), Dns.SYSTEM, LOOPBACK_SERVER_ONLY));
        long start = System.nanoTime();
        ToolResult r = tool.call(args(url("/slow"), null),
                new ToolContext("req-slow", "worker", Duration.ofMillis(400)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ToolResult.Outcome.ERROR, r.outcome(), r.content());
        assertTrue(r.content().contains("timed out after 400 ms"), r.content());
        assertTrue(ms < 2_500, "cut to the request's 400 ms, not the policy's 10 s: " + ms + " ms");
    }

    @Test
    void aForbiddenAddressIsARefusalNotAFetch() {
        WebFetchTool tool = new WebFetchTool(new WebFetch(WebFetchPolicy.defaults()));
        ToolResult r = tool.call(args(url("/secret"), null), CONTEXT);
        assertEquals(ToolResult.Outcome.REFUSED, r.outcome());
        assertTrue(r.content().contains("loopback"), r.content());
        assertEquals(0, server.getRequestCount(), "no connection was made");
    }

    @Test
    void anUnresolvableHostIsAnError() {
        WebFetchTool tool = new WebFetchTool(new WebFetch(WebFetchPolicy.defaults(),
                host -> { throw new java.net.UnknownHostException(host + " does not exist"); }, LOOPBACK_SERVER_ONLY));
        ToolResult r = tool.call(args("https://no-such-host.example/", null), CONTEXT);
        assertEquals(ToolResult.Outcome.ERROR, r.outcome());
        assertTrue(r.content().startsWith("web_fetch could not fetch"), r.content());
    }
}
