package dev.echelon.tools;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Dns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real address policy against the usual SSRF targets. The resolver fails the test if it is asked about anything
 * but evil.example, so these refusals are shown to happen before any lookup or connection.
 */
class WebFetchSsrfTest {

    private static final Dns ONLY_EVIL = host -> {
        if (host.equals("evil.example")) {
            try {
                return List.of(InetAddress.getByAddress("evil.example", new byte[] {10, 0, 0, 5}));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no lookup expected for " + host);
    };

    private static WebFetch fetcher(WebFetchPolicy policy) {
        return new WebFetch(policy, ONLY_EVIL, PublicAddressPolicy.INSTANCE);
    }

    private static String refusal(WebFetchPolicy policy, String url) {
        return assertThrows(FetchRefusedException.class, () -> fetcher(policy).fetch(url)).getMessage();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "http://127.0.0.1/|127.0.0.1 is a loopback address",
        "http://localhost/|localhost names the local host",
        "http://localhost./admin|localhost names the local host",
        "http://[::1]/|is a loopback address",
        "http://[::ffff:127.0.0.1]/|loopback address",
        "http://0.0.0.0/|0.0.0.0 is the unspecified address",
        "http://[::]/|unspecified address",
        "http://169.254.169.254/latest/meta-data/|169.254.169.254 is the cloud metadata address",
        "http://metadata.google.internal/computeMetadata/v1/|metadata.google.internal is a cloud metadata host name",
        "http://10.0.0.1/|10.0.0.1 is a private address",
        "http://172.16.5.4/|172.16.5.4 is a private address",
        "http://172.31.255.255/|172.31.255.255 is a private address",
        "http://192.168.1.1/|192.168.1.1 is a private address",
        "http://100.64.0.1/|100.64.0.1 is a private address (carrier-grade NAT",
        "http://[fc00::1]/|is a private address (unique local",
        "http://[fe80::1]/|is a link-local address",
        "http://224.0.0.1/|224.0.0.1 is a multicast address",
        "http://255.255.255.255/|255.255.255.255 is the broadcast address",
        "http://2130706433/|2130706433 resolves to 127.0.0.1 is a loopback address",
        "http://0x7f000001/|0x7f000001 resolves to 127.0.0.1 is a loopback address",
        "http://0177.0.0.1/|0177.0.0.1 resolves to 127.0.0.1 is a loopback address",
        "http://127.1/|127.1 resolves to 127.0.0.1 is a loopback address",
        "http://0xa9.0xfe.0xa9.0xfe/|169.254.169.254 is the cloud metadata address",
        "http://[2002:7f00:1::]/|a 6to4 address embedding 127.0.0.1 is a loopback address",
        "http://[64:ff9b::a00:1]/|a NAT64 address embedding 10.0.0.1 is a private address",
        "http://evil.example/|evil.example resolves to 10.0.0.5 is a private address",
        "file:///etc/passwd|only http and https URLs may be fetched, not file:",
        "ftp://example.com/pub|only http and https URLs may be fetched, not ftp:",
        "gopher://example.com/|not gopher:",
        "data:text/plain,hi|not data:",
        "http://999.0.0.1/|numeric host that is not a valid IPv4 address",
    })
    void refusedBeforeAnyConnection(String url, String reason) {
        String message = refusal(WebFetchPolicy.defaults(), url);
        assertTrue(message.contains(reason), () -> "expected '" + reason + "' in '" + message + "'");
    }

    @Test
    void denyListedHostIsRefused() {
        WebFetchPolicy policy = WebFetchPolicy.defaults().withDenyHosts(List.of("*.bad.example"));
        String message = refusal(policy, "https://www.bad.example/");
        assertTrue(message.contains("www.bad.example is on the deny list (*.bad.example)"), message);
    }

    @Test
    void hostOutsideANonEmptyAllowListIsRefused() {
        WebFetchPolicy policy = WebFetchPolicy.defaults().withAllowHosts(List.of("docs.example.org"));
        String message = refusal(policy, "https://other.example.org/");
        assertTrue(message.contains("other.example.org is not on the allow list"), message);
    }

    @Test
    void allowListDoesNotExemptAnInwardAddress() {
        WebFetchPolicy policy = WebFetchPolicy.defaults().withAllowHosts(List.of("evil.example"));
        String message = refusal(policy, "http://evil.example/");
        assertTrue(message.contains("10.0.0.5 is a private address"), message);
    }

    @Test
    void publicAddressesPass() throws Exception {
        for (String a : List.of("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1")) {
            InetAddress address = InetAddress.getByName(a);
            assertTrue(PublicAddressPolicy.INSTANCE.refusal(address) == null, a + " should be public");
        }
    }
}
