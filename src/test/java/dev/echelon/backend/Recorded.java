package dev.echelon.backend;

import okhttp3.mockwebserver.MockResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads the recorded llama-server v0.5.0 responses from {@code src/test/resources/llama-server-recorded/}. */
final class Recorded {

    private static final String DIR = "/llama-server-recorded/";

    private Recorded() {
    }

    /** Raw text of a recorded file, or null when absent. */
    static String text(String file) {
        try (InputStream in = Recorded.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                return null;
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String require(String file) {
        String t = text(file);
        if (t == null) {
            throw new IllegalArgumentException("no recorded file " + file);
        }
        return t;
    }

    /**
     * A MockResponse with the recorded body of NAME.json (or NAME.sse / NAME.txt) and the recorded status line and
     * Content-Type from NAME.headers (defaults: 200, application/json or text/event-stream for .sse).
     */
    static MockResponse response(String name) {
        String body = text(name + ".json");
        String contentType = "application/json; charset=utf-8";
        if (body == null) {
            body = text(name + ".sse");
            contentType = "text/event-stream";
        }
        if (body == null) {
            body = text(name + ".txt");
            contentType = "text/plain; version=0.0.4";
        }
        if (body == null) {
            throw new IllegalArgumentException("no recorded body for " + name);
        }
        MockResponse r = new MockResponse().setBody(body);
        String headers = text(name + ".headers");
        if (headers != null) {
            String[] lines = headers.split("\r?\n");
            r.setStatus(lines[0].strip());
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).equalsIgnoreCase("Content-Type")) {
                    contentType = lines[i].substring(colon + 1).strip();
                }
            }
        }
        r.setHeader("Content-Type", contentType);
        return r;
    }

    /** The recorded 503 while loading (README: exact body). */
    static MockResponse loading() {
        return new MockResponse().setResponseCode(503)
                .setHeader("Content-Type", "application/json; charset=utf-8")
                .setBody("{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}");
    }
}
