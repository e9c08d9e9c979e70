package dev.echelon.mcp;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Standard input for the stdio MCP transport with {@link NullArguments}' rule applied: each newline-delimited
 * JSON-RPC message is passed on as read, except that {@code tools/call} arguments sent as {@code null} are left out.
 * Lines that are not JSON pass unchanged (the transport answers them with its parse error).
 */
public final class NullArgumentsInput extends InputStream {

    private final BufferedReader lines;
    private byte[] current = new byte[0];
    private int at;

    public NullArgumentsInput(InputStream in) {
        this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return current[at++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.length - at);
        System.arraycopy(current, at, b, off, n);
        at += n;
        return n;
    }

    @Override
    public int available() {
        return current.length - at;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    /** Makes sure unread bytes are buffered; false at the end of input. */
    private boolean fill() throws IOException {
        if (at < current.length) {
            return true;
        }
        String line = lines.readLine();
        if (line == null) {
            return false;
        }
        current = (rewrite(line) + "\n").getBytes(StandardCharsets.UTF_8);
        at = 0;
        return true;
    }

    static String rewrite(String line) {
        if (!line.contains("null")) {
            return line;
        }
        try {
            Object message = Json.decodeValue(line);
            return NullArguments.strip(message) ? Json.encode(message) : line;
        } catch (DecodeException e) {
            return line;
        }
    }
}
