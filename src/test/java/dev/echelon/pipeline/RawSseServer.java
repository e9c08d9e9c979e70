package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.HttpUrl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A raw HTTP/1.1 server that streams SSE events slowly, one every {@code delayMs}, and notices when the client closes
 * the connection (a write fails) — which MockWebServer cannot report. Used to prove that Echelon cancels a backend
 * stream it rejected or stopped: llama-server stops generating when its client goes away.
 */
final class RawSseServer implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final BiFunction<JsonNode, Integer, List<String>> script;
    private final long delayMs;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    /** Per connection, in order: the events written before the stream ended or the client went away. */
    final List<Integer> eventsWritten = new CopyOnWriteArrayList<>();
    /** Connections whose client closed before the script's last event was written. */
    final AtomicInteger closedByClient = new AtomicInteger();
    /** Connections that ended (either way). */
    final AtomicInteger finished = new AtomicInteger();

    /** @param script the events (payloads of {@code data:} lines) for the n-th request (0-based) */
    RawSseServer(BiFunction<JsonNode, Integer, List<String>> script, long delayMs) throws IOException {
        this.script = script;
        this.delayMs = delayMs;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "raw-sse-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    HttpUrl url() {
        return new HttpUrl.Builder().scheme("http").host("127.0.0.1").port(serverSocket.getLocalPort()).build();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = serverSocket.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "raw-sse-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        int written = 0;
        List<String> events = List.of();
        try (socket) {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int length = contentLength(head);
            byte[] body = in.readNBytes(length);
            JsonNode request = Answers.JSON.readTree(body);
            int n;
            synchronized (requests) {
                n = requests.size();
                requests.add(request);
            }
            events = script.apply(request, n);
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (String e : events) {
                out.write(("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                written++;
                Thread.sleep(delayMs);
            }
        } catch (IOException e) { // a write failed: the client closed the connection
            if (written < events.size()) {
                closedByClient.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            eventsWritten.add(written);
            finished.incrementAndGet();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the request head");
            }
            buf.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (b == '\r' ? 1 : 0);
        }
        return buf.toString(StandardCharsets.US_ASCII);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        serverSocket.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
