package dev.echelon.memory.faiss;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The FAISS tests' gate. CI builds the native library, so a library that does not load there is a failure, not a
 * reason to skip: a green run must mean the native path was tested. Machines without libfaiss-dev opt out with
 * {@code -Dechelon.faiss.optional=true}.
 */
final class FaissAvailable {

    static final String OPTIONAL = "echelon.faiss.optional";

    private FaissAvailable() {
    }

    static void orFail() {
        FaissSupport.Status s = FaissSupport.status();
        if (s.available()) {
            return;
        }
        if (Boolean.getBoolean(OPTIONAL)) {
            Assumptions.abort("FAISS unavailable and " + OPTIONAL + "=true: " + s.detail());
        }
        fail("FAISS unavailable (set -D" + OPTIONAL + "=true to skip these tests on purpose): " + s.detail());
    }
}
