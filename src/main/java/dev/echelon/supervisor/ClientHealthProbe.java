package dev.echelon.supervisor;

import dev.echelon.backend.BackendException;
import dev.echelon.backend.BackendLoadingException;
import dev.echelon.backend.BackendTimeouts;
import dev.echelon.backend.LlamaServerClient;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import java.net.URI;

/** Probes {@code /health} through {@link LlamaServerClient}, which owns the llama-server protocol. */
public final class ClientHealthProbe implements HealthProbe {

    /** Probes are frequent while a server loads: short timeouts, so a hung server cannot stall the scheduler. */
    private static final BackendTimeouts PROBE_TIMEOUTS = BackendTimeouts.of(500, 1_000, 2_000);

    private final OkHttpClient http;

    public ClientHealthProbe(OkHttpClient http) {
        this.http = http;
    }

    @Override
    public Readiness probe(URI baseUrl) {
        HttpUrl url = HttpUrl.get(baseUrl);
        try {
            new LlamaServerClient(url, "probe", http, PROBE_TIMEOUTS).health();
            return Readiness.READY;
        } catch (BackendLoadingException e) {
            return Readiness.LOADING;
        } catch (BackendException e) {
            return Readiness.DOWN;
        }
    }
}
