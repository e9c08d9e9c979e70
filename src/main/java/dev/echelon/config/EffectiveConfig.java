package dev.echelon.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.residency.control.OverflowConfig;
import dev.echelon.residency.control.PlannerConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration Echelon actually runs with — deployment settings after environment overrides, plus the
 * validated registry — with secrets redacted, and a content hash that identifies it in logs and in
 * {@code GET /admin/config} (two processes with the same hash run the same configuration).
 */
public record EffectiveConfig(String hash, Map<String, Object> settings, ModelRegistry registry) {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .build();

    public static EffectiveConfig of(EchelonConfig c, ModelRegistry registry, String launcher) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mock_mode", c.mockMode());
        s.put("registry_path", c.registryPath());
        s.put("registry_mode", c.registryMode());
        s.put("llama_server", c.llamaServer());
        s.put("models_dir", c.modelsDir());
        s.put("api_keys", redact(c.apiKeys()));
        s.put("admin_keys", redact(c.adminKeys()));
        s.put("host", c.host());
        s.put("port", c.port());
        s.put("backend_port_base", c.backendPortBase());
        s.put("data_dir", c.dataDir());
        s.put("mock_time_scale", c.mock().timeScale());
        s.put("mock_cold_start", c.mock().coldStart());
        s.put("restart_backoff_initial_ms", c.supervisor().restartBackoffInitialMs());
        s.put("restart_backoff_max_ms", c.supervisor().restartBackoffMaxMs());
        s.put("stop_grace_ms", c.supervisor().stopGraceMs());
        EchelonConfig.Residency r = c.residency();
        s.put("residency_enabled", r.enabled());
        s.put("residency_policy", r.policy());
        s.put("residency_tick_ms", r.tickMs());
        s.put("residency_gpu_bytes", r.gpuBytes().orElse("(registry)"));
        s.put("residency_host_ram_bytes", r.hostRamBytes().orElse("(registry)"));
        // the planning settings in force: what is unset is the planner's own default
        PlannerConfig.inForce(r).forEach((key, value) -> s.put("residency_" + key.replace('-', '_'), value));
        s.put("residency_transition_wait_ms", r.transitionWaitMs());
        // the overflow's values in force: what is unset is the rule's own default
        OverflowConfig.inForce(r.overflow())
                .forEach((key, value) -> s.put("residency_overflow_" + key.replace('-', '_'), value));
        s.put("tools_enabled", c.tools().enabled());
        s.put("tools_max_rounds", c.tools().maxRounds());
        s.put("sandbox_launcher", c.sandbox().launcher());
        s.put("sandbox_wall_clock_ms", c.sandbox().wallClockMs());
        s.put("sandbox_uids", c.sandbox().uids());
        s.put("webfetch_allow_hosts", c.webfetch().allowHosts().orElse(List.of()));
        s.put("webfetch_deny_hosts", c.webfetch().denyHosts().orElse(List.of()));
        s.put("launcher", launcher);
        return new EffectiveConfig(hash(s, registry), Map.copyOf(s), registry);
    }

    /** Keys are never shown or hashed; only how many there are. */
    static String redact(Optional<List<String>> keys) {
        int n = keys.map(k -> (int) k.stream().filter(x -> !x.isBlank()).count()).orElse(0);
        return n == 0 ? "(none: authentication off)" : "(" + n + (n == 1 ? " key" : " keys") + ", redacted)";
    }

    static String hash(Map<String, Object> settings, ModelRegistry registry) {
        try {
            byte[] canonical = CANONICAL.writeValueAsString(Map.of("settings", settings, "registry", registry))
                    .getBytes(StandardCharsets.UTF_8);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return "sha256:" + HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash the effective configuration", e);
        }
    }

    /** The whole effective configuration — hash, settings (secrets redacted) and registry — as JSON. */
    public com.fasterxml.jackson.databind.JsonNode toJson() {
        return CANONICAL.valueToTree(Map.of("hash", hash, "settings", settings, "registry", registry));
    }

    /** One line per setting plus the role summary: what the startup log shows. */
    public String summary() {
        StringBuilder sb = new StringBuilder("effective configuration ").append(hash).append(':');
        new java.util.TreeMap<>(settings).forEach((k, v) -> sb.append("\n  ").append(k).append(" = ").append(v));
        registry.roles().values().forEach(r -> sb.append("\n  role ").append(r.name()).append(" (tier ")
                .append(r.tier()).append(", ").append(r.kind().name().toLowerCase()).append("): ")
                .append(r.model().map(m -> m.name()).orElse(r.inProcess().map(p -> "in-process " + p).orElse("external")))
                .append(", ").append(r.instances().size()).append(" instance(s)"));
        return sb.toString();
    }
}
