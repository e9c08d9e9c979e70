package dev.echelon.tools;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Set;

/**
 * {@code web_fetch}: fetches a public http(s) URL through {@link WebFetch} (SSRF vetting, size and time limits,
 * HTML reduced to text) and gives the model the page's text, cut to {@code max_chars}.
 */
@ApplicationScoped
public class WebFetchTool implements Tool {

    public static final String NAME = "web_fetch";
    static final int DEFAULT_MAX_CHARS = 20_000;
    static final int MAX_CHARS = 100_000;

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final WebFetch fetch;
    private final ObjectNode parameters;

    public WebFetchTool(WebFetch fetch) {
        this.fetch = fetch;
        ObjectNode s = F.objectNode().put("type", "object");
        ObjectNode p = s.putObject("properties");
        p.putObject("url").put("type", "string").put("minLength", 1).put("maxLength", 2048)
                .put("description", "An absolute http:// or https:// URL of a public page");
        p.putObject("max_chars").put("type", "integer").put("minimum", 100).put("maximum", MAX_CHARS)
                .put("description", "Most characters of page text to return (default " + DEFAULT_MAX_CHARS + ")");
        s.putArray("required").add("url");
        s.put("additionalProperties", false);
        this.parameters = s;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Fetch a public web page or text document by URL and return its readable text (HTML reduced to "
                + "text). Private, loopback and cloud-metadata addresses are refused.";
    }

    @Override
    public ObjectNode parameters() {
        return parameters.deepCopy();
    }

    @Override
    public Set<ToolPermission> permissions() {
        return Set.of(ToolPermission.NETWORK);
    }

    @Override
    public ToolResult call(ObjectNode arguments, ToolContext context) {
        String url = arguments.get("url").asText();
        int maxChars = arguments.path("max_chars").isNumber() ? arguments.get("max_chars").asInt() : DEFAULT_MAX_CHARS;
        if (context.remaining().toMillis() < 100) {
            return ToolResult.refused("web_fetch was not run: the request's deadline has run out");
        }
        FetchResult r;
        try {
            r = fetch.fetch(url, context.remaining());
        } catch (FetchRefusedException e) {
            return ToolResult.refused("web_fetch refused " + url + ": " + e.getMessage());
        } catch (InterruptedIOException e) {
            return ToolResult.error("web_fetch timed out: " + e.getMessage());
        } catch (IOException e) {
            return ToolResult.error("web_fetch could not fetch " + url + ": " + e.getMessage());
        }
        String text = r.text();
        boolean cut = r.truncated() || text.length() > maxChars;
        if (text.length() > maxChars) {
            text = text.substring(0, maxChars);
        }
        StringBuilder content = new StringBuilder();
        content.append("URL: ").append(r.finalUrl()).append('\n');
        content.append("Status: ").append(r.status()).append('\n');
        if (!r.title().isEmpty()) {
            content.append("Title: ").append(r.title()).append('\n');
        }
        content.append('\n').append(text);
        if (cut) {
            content.append("\n[truncated]");
        }
        ObjectNode details = F.objectNode().put("url", r.finalUrl()).put("status", r.status())
                .put("bytes", r.bytes()).put("truncated", cut);
        return ToolResult.ok(content.toString(), details);
    }
}
