package dev.echelon.residency.control;

import dev.echelon.residency.Footprint;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;
import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The residency controller's state as one JSON-ready map — the body of {@code GET /admin/residency}, the MCP tool
 * {@code residency_status} and the {@code echelon://residency} resource: the policy, every managed role's placement
 * (state, variant, GPU layers, footprint), the budgets and how full they are, what the policy believes (forecast,
 * plan), the roles whose requests are deferred, the transitions under way or waiting for memory, and the most recent
 * finished transitions.
 */
public final class ResidencyReport {

    private ResidencyReport() {
    }

    /** The report, with at most {@code recent} (clamped to 0–200) finished transitions. */
    public static Map<String, Object> of(ResidencyController residency, int recent) {
        ResidencySnapshot snap = residency.snapshot();
        ResidencyModel model = residency.model();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", residency.enabled());
        m.put("policy", residency.policyName());
        m.put("clock_seconds", round(residency.clock().nowSeconds()));
        m.put("clock_speed", residency.clock().speed());
        Footprint used = snap.reserved(model);
        m.put("budgets", Map.of("gpu_bytes", model.budgets().gpuBytes(), "host_ram_bytes",
                model.budgets().hostRamBytes()));
        m.put("used", Map.of("gpu_bytes", used.gpuBytes(), "host_ram_bytes", used.hostBytes()));
        m.put("pressure", Map.of("gpu", round(model.budgets().gpuPressure(used)), "host",
                round(model.budgets().hostPressure(used))));
        Map<String, Object> roles = new LinkedHashMap<>();
        for (ResidentRole r : model.roles().values()) {
            RolePlacement live = snap.live(r.name());
            RolePlacement settled = snap.settled().of(r.name());
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("state", live.state().name());
            role.put("meaning", live.state().meaning());
            role.put("variant", live.variant());
            role.put("gpu_layers", live.gpuLayers());
            role.put("layers", r.requireVariant(live.variant()).layers());
            Footprint f = model.footprint(r.name(), settled);
            role.put("footprint", Map.of("gpu_bytes", f.gpuBytes(), "host_bytes", f.hostBytes()));
            role.put("tier", r.tier().name());
            r.fallback().ifPresent(fb -> role.put("fallback", fb));
            r.pin().ifPresent(p -> role.put("pin", p.name()));
            if (r.draft().isPresent()) {
                // the acceptance its decoding is priced with (null: none measured yet, priced without the draft)
                java.util.OptionalDouble a = model.acceptance().alpha(r.name());
                role.put("draft_acceptance", a.isPresent() ? round(a.getAsDouble()) : null);
            }
            Transition moving = snap.moving().get(r.name());
            if (moving != null) {
                role.put("moving", Map.of("from", moving.from().toString(), "to", moving.to().toString(),
                        "planned_ms", Math.round(moving.seconds() * 1000)));
            }
            Transition pending = snap.pending().get(r.name());
            if (pending != null) {
                role.put("waiting_for_memory", Map.of("from", pending.from().toString(), "to",
                        pending.to().toString()));
            }
            roles.put(r.name(), role);
        }
        m.put("roles", roles);
        m.put("deferred", snap.deferred().stream().sorted().toList());
        m.put("explain", residency.explain());
        m.put("controller", residency.stats());
        m.put("trace_file", residency.ledger().file() == null ? null : residency.ledger().file().toString());
        m.put("recent_transitions", residency.ledger().recent(Math.max(0, Math.min(recent, 200))).stream()
                .map(LedgerEntry::toMap).toList());
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
