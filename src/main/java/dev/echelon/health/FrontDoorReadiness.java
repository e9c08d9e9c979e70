package dev.echelon.health;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.Supervisor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready means a request that names no role can be answered: the front door has a ready instance. Every instance's
 * state is in the check data, so one call shows what is still loading.
 */
@Readiness
@ApplicationScoped
public class FrontDoorReadiness implements HealthCheck {

    private final ModelRegistry registry;
    private final Supervisor supervisor;

    public FrontDoorReadiness(ModelRegistry registry, Supervisor supervisor) {
        this.registry = registry;
        this.supervisor = supervisor;
    }

    @Override
    public HealthCheckResponse call() {
        String frontDoor = registry.frontDoor().name();
        boolean ready = supervisor.serversOf(frontDoor).stream().anyMatch(s -> s.state() == ServerState.READY);
        HealthCheckResponseBuilder b = HealthCheckResponse.named("backends").status(ready)
                .withData("front_door", frontDoor);
        long readyCount = 0;
        for (ServerProcess s : supervisor.servers()) {
            b.withData(s.instanceId(), s.state().name().toLowerCase() + " (" + s.role() + ", " + s.baseUrl() + ")");
            if (s.state() == ServerState.READY) {
                readyCount++;
            }
        }
        return b.withData("ready_instances", readyCount).withData("instances", supervisor.servers().size()).build();
    }
}
