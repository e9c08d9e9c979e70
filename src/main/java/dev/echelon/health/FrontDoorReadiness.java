package dev.echelon.health;

import dev.echelon.pipeline.ResidencyView;
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
 * Ready means a request that names no role can be answered: the front door has a ready instance, or the residency
 * controller holds it (cold, moving or substituted) and brings it back, or serves its traffic by its fallback, on
 * demand — a service whose front door was parked must not be taken out of rotation, or the demand that would bring
 * it back never comes. Every instance's state is in the check data, so one call shows what is still loading.
 */
@Readiness
@ApplicationScoped
public class FrontDoorReadiness implements HealthCheck {

    private final ModelRegistry registry;
    private final Supervisor supervisor;
    private final ResidencyView residency;

    public FrontDoorReadiness(ModelRegistry registry, Supervisor supervisor, ResidencyView residency) {
        this.registry = registry;
        this.supervisor = supervisor;
        this.residency = residency;
    }

    @Override
    public HealthCheckResponse call() {
        String frontDoor = registry.frontDoor().name();
        ResidencyView.RoleStanding standing = residency.standing(frontDoor);
        boolean ready = supervisor.serversOf(frontDoor).stream().anyMatch(s -> s.state() == ServerState.READY)
                || standing.standing().held();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("backends").status(ready)
                .withData("front_door", frontDoor);
        standing.state().ifPresent(s -> b.withData("front_door_residency", s.name()));
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
