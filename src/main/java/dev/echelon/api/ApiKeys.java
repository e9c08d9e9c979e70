package dev.echelon.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A set of bearer keys, compared in constant time: each presented key is hashed and the digest compared with
 * {@link MessageDigest#isEqual} against every configured digest, so neither the position of the first differing
 * byte nor the key's length shows in the response time.
 */
final class ApiKeys {

    private final List<byte[]> digests;

    ApiKeys(Optional<List<String>> keys) {
        this.digests = keys.orElse(List.of()).stream().map(String::trim).filter(k -> !k.isEmpty())
                .map(ApiKeys::sha256).toList();
    }

    boolean enabled() {
        return !digests.isEmpty();
    }

    /** The principal for {@code presented} (a short, non-secret digest prefix), or empty when it is not a key. */
    Optional<String> check(String presented) {
        byte[] d = sha256(presented);
        boolean match = false;
        for (byte[] k : digests) {
            match |= MessageDigest.isEqual(k, d); // no early exit
        }
        // 8 bytes: the principal also scopes memory, so two keys must never share one (2⁻⁶⁴ per pair)
        return match ? Optional.of("key-" + HexFormat.of().formatHex(d, 0, 8)) : Optional.empty();
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
