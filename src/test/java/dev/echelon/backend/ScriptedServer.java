package dev.echelon.backend;

import okhttp3.HttpUrl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A one-connection raw HTTP/1.1 server driven by a script, for streams that MockWebServer cannot express (endless
 * streams, stalls, observing that the client closed the connection). The response has no Content-Length and
 * {@code Connection: close}: the body ends when the script returns.
 */
final class ScriptedServer implements AutoCloseable {

    interface Script {
        void run(OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket serverSocket;
    private final Thread thread;
    final CountDownLatch requestReceived = new CountDownLatch(1);
    /** Counted down when a write to the client failed (the client closed the connection). */
    final CountDownLatch writeFailed = new CountDownLatch(1);
    volatile String requestHead;
    volatile long writeFailedNanos;

    ScriptedServer(Script script) throws IOException {
        serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> serve(script), "scripted-server");
        thread.setDaemon(true);
        thread.start();
    }

    HttpUrl url() {
        return new HttpUrl.Builder().scheme("http").host("127.0.0.1").port(serverSocket.getLocalPort()).build();
    }

    private void serve(Script script) {
        try (Socket socket = serverSocket.accept()) {
            InputStream in = socket.getInputStream();
            readRequest(in);
            requestReceived.countDown();
            OutputStream out = socket.getOutputStream();
            try {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                script.run(out);
                out.flush();
            } catch (IOException e) {
                writeFailedNanos = System.nanoTime();
                writeFailed.countDown();
            }
        } catch (IOException | InterruptedException e) {
            // server closed
        }
    }

    private void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
        }
        requestHead = head.toString(StandardCharsets.UTF_8);
        int length = 0;
        for (String line : requestHead.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        in.readNBytes(length);
    }

    static void event(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        thread.interrupt();
    }
}
