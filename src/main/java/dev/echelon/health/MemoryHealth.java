package dev.echelon.health;

import dev.echelon.memory.MemoryRuntime;
import dev.echelon.memory.MemoryService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * What memory searches with, in the health data: FAISS or the pure-Java fallback (and why), the index's kind and
 * size, and whether it is still being rebuilt. Always up — memory is an aid, and a service whose memory index is
 * still loading answers anyway (recall reads the store directly meanwhile).
 */
@Liveness
@ApplicationScoped
public class MemoryHealth implements HealthCheck {

    private final Instance<MemoryRuntime> runtime;

    public MemoryHealth(Instance<MemoryRuntime> runtime) {
        this.runtime = runtime;
    }

    @Override
    public HealthCheckResponse call() {
        MemoryRuntime memory = runtime.get();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("memory").up()
                .withData("vector_backend", memory.indexes().backend());
        memory.indexes().fallbackReason().ifPresent(r -> b.withData("faiss_unavailable", r));
        memory.offReason().ifPresent(r -> b.withData("memory", r));
        memory.service().map(MemoryService::status).ifPresent(s -> b.withData("index", s.index())
                .withData("memories", s.size()).withData("index_ready", s.ready()));
        return b.build();
    }
}
