package dev.echelon.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.echelon.registry.Tier;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.Slo;
import dev.echelon.residency.control.OverflowConfig;
import dev.echelon.residency.control.PlannerConfig;
import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Writes a simulation's figures as {@code results.csv}, {@code results.json} and {@code results.md}. */
public final class ResultsWriter {

    /**
     * How the run was made, for the files' headers; {@code planning} is the planner's dwell, transition cap and
     * horizon, {@code overflow} its overflow rule (empty: none), {@code draftAcceptance} the world's α per role with a
     * draft ({@code --draft-acceptance}; empty: every role decodes without its draft).
     */
    public record RunInfo(String command, long seed, double durationSeconds, Simulator.Settings simulator,
            OfflineOptimum.Settings optimum, PlannerConfig.Values planning, Optional<Overflow.Settings> overflow,
            Map<String, Double> draftAcceptance, double wallSeconds) {

        public RunInfo {
            draftAcceptance = Map.copyOf(draftAcceptance);
        }
    }

    private static final String[] CSV_HEADER = {"family", "shifting", "policy", "requests", "p50_ttft_s",
        "p95_ttft_s", "p99_ttft_s", "ttft_slo", "tpot_slo", "transitions", "gb_moved", "gpu_hit_rate",
        "fallback_share", "unserved", "refusals", "mean_latency_s", "mean_cost_s", "regret", "p95_vs_optimum",
        "prepare_s", "replay_s", "policy_us_per_call"};

    public void write(Path dir, RunInfo info, List<SimulationSuite.FamilyResult> families) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.csv"), csv(families));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(dir.resolve("results.json"), json.writeValueAsString(jsonTree(info, families)) + "\n");
        Files.writeString(dir.resolve("results.md"), markdown(info, families));
    }

    String csv(List<SimulationSuite.FamilyResult> families) {
        StringBuilder sb = new StringBuilder(String.join(",", CSV_HEADER)).append('\n');
        for (SimulationSuite.FamilyResult f : families) {
            for (PolicyMetrics m : f.metrics()) {
                sb.append(String.join(",", m.family(), String.valueOf(f.trace().family().shifting()), m.policy(),
                        String.valueOf(m.requests()), num(m.p50Ttft()), num(m.p95Ttft()), num(m.p99Ttft()),
                        num(m.ttftSlo()), num(m.tpotSlo()), String.valueOf(m.transitions()), num(m.gbMoved()),
                        num(m.gpuHitRate()), num(m.fallbackShare()), String.valueOf(m.unserved()),
                        String.valueOf(m.refusals()), num(m.meanLatency()), num(m.meanCost()), num(m.regret()),
                        num(m.p95VsOptimum()), num(m.prepareSeconds()), num(m.replaySeconds()),
                        num(m.policyMicrosPerCall()))).append('\n');
            }
        }
        return sb.toString();
    }

    private Map<String, Object> jsonTree(RunInfo info, List<SimulationSuite.FamilyResult> families) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("command", info.command());
        root.put("seed", info.seed());
        root.put("duration_s", info.durationSeconds());
        root.put("tick_s", info.simulator().tickSeconds());
        root.put("drain_s", info.simulator().drainSeconds());
        root.put("optimum", Map.of("window_s", info.optimum().windowSeconds(), "partial_steps",
                info.optimum().partialSteps()));
        RequestCost cost = info.optimum().cost();
        root.put("request_cost", Map.of("decode_weight", cost.decodeWeight(), "substitution_penalty_s",
                cost.substitutionPenaltySeconds()));
        Map<String, Object> slo = new LinkedHashMap<>();
        for (Tier t : List.of(Tier.A, Tier.B, Tier.C)) {
            slo.put(t.name(), Map.of("ttft_s", Slo.ttftSeconds(t), "tpot_s", Slo.tpotSeconds(t)));
        }
        root.put("slo", slo);
        root.put("planner_settings", PlannerConfig.byKey(info.planning()));
        root.put("planner_overflow", info.overflow().<Object>map(OverflowConfig::byKey).orElse("off"));
        root.put("draft_acceptance", info.draftAcceptance().isEmpty() ? "none"
                : new java.util.TreeMap<>(info.draftAcceptance()));
        root.put("wall_s", info.wallSeconds());
        List<Object> fams = new ArrayList<>();
        for (SimulationSuite.FamilyResult f : families) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("family", f.trace().family().id());
            fm.put("description", f.trace().family().description());
            fm.put("shifting", f.trace().family().shifting());
            fm.put("requests", f.trace().requests().size());
            fm.put("policies", f.metrics());
            fm.put("unlimited_memory", f.unlimited());
            f.tailReach().ifPresent(r -> fm.put("clairvoyant_tail_reach", r));
            f.anchor().ifPresent(a -> fm.put("regret_anchor", a));
            TargetCheck.of(f).ifPresent(t -> fm.put("target", t));
            fams.add(fm);
        }
        root.put("families", fams);
        return root;
    }

    private static String tailReach(TailReach.Result r) {
        if (r == null) {
            return "—";
        }
        return num1(r.p95Ttft()) + " (" + pct(r.p95Gain()) + ", " + pct(r.regret()) + (r.met() ? "; met" : "") + ")";
    }

    String markdown(RunInfo info, List<SimulationSuite.FamilyResult> families) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Residency simulation results\n\n");
        sb.append("`").append(info.command()).append("` — seed ").append(info.seed()).append(", ")
                .append(num0(info.durationSeconds())).append(" s per trace, tick ")
                .append(num1(info.simulator().tickSeconds())).append(" s, optimum window ")
                .append(num1(info.optimum().windowSeconds())).append(" s, planner's settings ")
                .append(PlannerConfig.format(info.planning())).append(", planner's overflow ")
                .append(OverflowConfig.format(info.overflow())).append("; wall time ").append(num1(info.wallSeconds()))
                .append(" s.\n\n");
        List<TargetCheck> checks = families.stream().map(TargetCheck::of).flatMap(java.util.Optional::stream).toList();
        if (!checks.isEmpty()) {
            sb.append("## Target: planner p95 TTFT ≥ 30 % below every peer, regret ≤ 10 %\n\n");
            sb.append("| family | shifting | best peer (p95 s) | planner p95 s | p95 gain | planner regret | met "
                    + "| p95 s with unlimited memory (gain) "
                    + "| clairvoyant, aimed at the tail: p95 s (gain, regret) |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|\n");
            for (TargetCheck t : checks) {
                sb.append("| ").append(t.family()).append(" | ").append(t.shifting() ? "yes" : "no (control)")
                        .append(" | ").append(t.bestPeer()).append(" (").append(num1(t.bestPeerP95())).append(") | ")
                        .append(num1(t.plannerP95())).append(" | ").append(pct(t.p95Gain())).append(" | ")
                        .append(pct(t.plannerRegret())).append(RegretAnchor.note(t.regretAnchor())).append(" | ")
                        .append(t.met() ? "yes" : "no"
                                + (t.p95Met() ? "" : " (p95)") + (t.regretMet() ? "" : " (regret)"))
                        .append(" | ").append(num1(t.unlimitedP95())).append(" (")
                        .append(pct(t.unlimitedGain()))
                        .append(t.p95Reachable() ? ")" : ", < 30 %)")
                        .append(" | ").append(tailReach(t.tailReach()))
                        .append(" |\n");
            }
            sb.append("\nUnlimited memory: the same trace with every role resident on the GPU throughout, at its "
                    + "fastest variant, serving its own requests. No residency policy lowers a role's prefill or adds "
                    + "slots, so without serving requests on a fallback (at the quality penalty) none gets below that "
                    + "p95; where it is not 30 % below the best peer's, the p95 half of the target is out of reach."
                    + " Clairvoyant, aimed at the tail: the optimum's programme with each second of TTFT past "
                    + num2(TailReach.AIM) + " × the best peer's p95 priced once more (weights " + TailReach.WEIGHTS
                    + "), the schedule closest to the target kept. What knowing the future reaches against the "
                    + "target as written; not a bound. Regret, here and below: against the cheapest schedule replayed "
                    + "on the trace — the optimum's, unless a policy's replay beat it (named after the regret: the "
                    + "optimum's windowed programme is an approximation), so no policy's is negative; a clairvoyant "
                    + "schedule's can be, as those are not candidates for the anchor.\n\n");
        }
        for (SimulationSuite.FamilyResult f : families) {
            sb.append("## ").append(f.trace().family().id()).append(" — ").append(f.trace().family().description())
                    .append(" (").append(f.trace().requests().size()).append(" requests)\n\n");
            f.anchor().ifPresent(a -> sb.append("Regret against ").append(a.policy()).append("'s replay, the cheapest ")
                    .append("of this trace's (mean cost ").append(num2(a.meanCost())).append(" s).\n\n"));
            sb.append("| policy | p50 TTFT s | p95 TTFT s | p99 TTFT s | TTFT SLO | TPOT SLO | transitions | GB moved "
                    + "| GPU hit | fallback | unserved | mean cost s | regret | p95 / opt | solve+replay s |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (PolicyMetrics m : f.metrics()) {
                sb.append("| ").append(m.policy()).append(" | ").append(num2(m.p50Ttft())).append(" | ")
                        .append(num1(m.p95Ttft())).append(" | ").append(num1(m.p99Ttft())).append(" | ")
                        .append(pct(m.ttftSlo())).append(" | ").append(pct(m.tpotSlo())).append(" | ")
                        .append(m.transitions()).append(" | ").append(num1(m.gbMoved())).append(" | ")
                        .append(pct(m.gpuHitRate())).append(" | ").append(pct(m.fallbackShare())).append(" | ")
                        .append(m.unserved()).append(" | ").append(num2(m.meanCost())).append(" | ")
                        .append(pct(m.regret())).append(" | ").append(num2(m.p95VsOptimum())).append(" | ")
                        .append(num2(m.prepareSeconds() + m.replaySeconds())).append(" |\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A CSV number: four decimals, empty for NaN (no optimum in the run, an unserved request's start). */
    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String num0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String num1(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String num2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.0f %%", 100 * v);
    }
}
