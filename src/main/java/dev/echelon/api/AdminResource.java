package dev.echelon.api;

import dev.echelon.EchelonBoot;
import dev.echelon.backend.BackendTimeouts;
import dev.echelon.backend.LlamaServerClient;
import dev.echelon.config.EffectiveConfig;
import dev.echelon.residency.control.ResidencyController;
import dev.echelon.residency.control.ResidencyReport;
import dev.echelon.speculation.PairingCheck;
import dev.echelon.speculation.SpeculationService;
import dev.echelon.supervisor.ServerProcess;
import dev.echelon.supervisor.ServerState;
import dev.echelon.supervisor.Supervisor;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Operator endpoints: the configuration in force, the backend instances and where their weights are. */
@Path("/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final EchelonBoot boot;
    private final Supervisor supervisor;
    private final ResidencyController residency;

    private final SpeculationService speculation;
    private final PairingCheck pairing;
    private final OkHttpClient http;

    public AdminResource(EchelonBoot boot, Supervisor supervisor, ResidencyController residency,
            SpeculationService speculation, PairingCheck pairing,
            OkHttpClient http) {
        this.http = http;
        this.speculation = speculation;
        this.pairing = pairing;
        this.boot = boot;
        this.supervisor = supervisor;
        this.residency = residency;
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

    /**
     * The residency controller: its policy, every managed role's placement (state, variant, GPU layers, footprint),
     * the budgets and how full they are, what the policy believes (forecast, plan), the roles whose requests are
     * deferred, the transitions under way or waiting for memory, and the most recent finished transitions.
     */
    /**
     * Speculation per target role: how it is launched (draft length, or off and why), the pairing check's verdict,
     * whether its servers honour per-request lengths, the last adaptation, per category the measured α, c and best
     * length, and the telemetry (acceptance, accepted per pass, tokens/s with and without drafting).
     */
    @GET
    @Path("/speculation")
    public Map<String, Object> speculation() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> roles = speculation.explain();
        roles.forEach((role, v) -> pairing.verdict(role).ifPresent(verdict -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            m.put("pairing", verdict.compatible() ? "compatible" : verdict.message());
        }));
        out.put("roles", roles);
        out.put("telemetry", speculation.telemetry().summary());
        out.put("server_counters", serverCounters(roles.keySet()));
        return out;
    }

    /**
     * Each speculating instance's own counters from its {@code /metrics} (llama-server's
     * {@code llamacpp:spec_decode_*}): drafts, draft tokens and accepted tokens since it started — the server's
     * view, beside Echelon's per-request telemetry.
     */
    private Map<String, Object> serverCounters(Set<String> roles) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String role : roles) {
            for (var s : supervisor.serversOf(role)) {
                if (s.state() != ServerState.READY) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                try {
                    var metrics = new LlamaServerClient(HttpUrl.get(s.baseUrl()),
                            s.instanceId(), http, BackendTimeouts.of(1_000, 2_000, 0)).metrics();
                    double drafted = metrics.valueOr("llamacpp:spec_decode_num_draft_tokens_total", 0);
                    double accepted = metrics.valueOr("llamacpp:spec_decode_num_accepted_tokens_total", 0);
                    m.put("drafts", metrics.valueOr("llamacpp:spec_decode_num_drafts_total", 0));
                    m.put("draft_tokens", drafted);
                    m.put("accepted_tokens", accepted);
                    m.put("acceptance_rate", drafted > 0 ? round(accepted / drafted) : null);
                } catch (RuntimeException e) {
                    m.put("error", e.getMessage());
                }
                out.put(s.instanceId(), m);
            }
        }
        return out;
    }

    @GET
    @Path("/residency")
    public Map<String, Object> residency(@jakarta.ws.rs.QueryParam("recent") @jakarta.ws.rs.DefaultValue("50")
            int recent) {
        return ResidencyReport.of(residency, recent);
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
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
