package dev.echelon.supervisor;

import java.net.URI;

/** Asks a llama-server whether it is ready; never throws. */
@FunctionalInterface
public interface HealthProbe {
    Readiness probe(URI baseUrl);
}
