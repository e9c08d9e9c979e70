package dev.echelon.api;

import dev.echelon.EchelonBoot;
import dev.echelon.config.EffectiveConfig;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.Supervisor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Operator endpoints: the configuration in force and the backend instances. */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final EchelonBoot boot;
    private final Supervisor supervisor;

    public AdminResource(EchelonBoot boot, Supervisor supervisor) {
        this.boot = boot;
        this.supervisor = supervisor;
    }

    /** The effective configuration with secrets redacted, and its hash. */
    @GET
    @Path("/config")
    public Response config() {
        return boot.effective()
                .map(c -> Response.ok(Map.of("hash", c.hash(), "settings", c.settings(), "registry", c.registry())))
                .orElseGet(() -> Response.status(503).entity(Map.of("error", Map.of("message",
                        "configuration not validated yet", "type", "unavailable_error"))))
                .build();
    }

    /** Every backend instance: role, URL, state, restarts and its recent state changes. */
    @GET
    @Path("/instances")
    public List<Map<String, Object>> instances() {
        return supervisor.servers().stream().map(AdminResource::describe).toList();
    }

    private static Map<String, Object> describe(ServerProcess s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.instanceId());
        m.put("role", s.role());
        m.put("url", s.baseUrl().toString());
        m.put("state", s.state().name().toLowerCase());
        m.put("external", s.external());
        m.put("restarts", s.restarts());
        s.pid().ifPresent(p -> m.put("pid", p));
        m.put("history", s.history().stream().map(c -> Map.of("from", c.from().name().toLowerCase(), "to",
                c.to().name().toLowerCase(), "at", c.at().toString(), "reason", c.reason())).toList());
        return m;
    }
}
