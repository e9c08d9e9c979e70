package dev.echelon.tools;

import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;

/**
 * A web server on 127.0.0.1 for web-fetch tests, and the one address policy that lets a fetch reach it: the real
 * public-address policy, except for the loopback address the test server listens on.
 */
abstract class LoopbackPagesTest {

    static final AddressPolicy LOOPBACK_SERVER_ONLY = address ->
            address.getHostAddress().equals("127.0.0.1") ? null : PublicAddressPolicy.INSTANCE.refusal(address);

    MockWebServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.shutdown();
    }

    /** The server's URL by address: MockWebServer names itself "localhost", which is refused by name. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getPort() + path;
    }
}
