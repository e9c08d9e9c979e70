package dev.echelon.simulate;

import dev.echelon.residency.RolePlacement;
import dev.echelon.residency.Transition;
import dev.echelon.residency.policy.RequestCost;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static dev.echelon.simulate.ResultsWriter.num;

/**
 * The replays request by request, for {@code ./echelon simulate --requests}: {@code requests.csv} (one row per request
 * and policy: where and when it was served, its TTFT and its cost) and {@code transitions.csv} (every residency
 * change each policy made). The summary files say how far a policy is from the target; these say which requests put
 * it there — e.g. the planner's cost minus the optimum's, summed per role and per reason, is where the regret comes
 * from where the optimum's replay is the regret's anchor ({@link RegretAnchor}; bench/residency/README.md).
 */
public final class RequestLog {

    static final String REQUESTS_HEADER = "family,policy,request,role,arrival_s,prompt_tokens,output_tokens,served_by,"
            + "state,variant,gpu_layers,by_fallback,wait_s,ttft_s,tpot_s,finish_s,cost_s";
    static final String TRANSITIONS_HEADER = "family,policy,at_s,role,from_state,from_variant,from_gpu_layers,"
            + "to_state,to_variant,to_gpu_layers,seconds,bytes_moved";

    private final RequestCost cost;

    /** @param cost the cost each request is priced with: the one regret is measured in */
    public RequestLog(RequestCost cost) {
        this.cost = cost;
    }

    public void write(Path dir, List<SimulationSuite.FamilyResult> families) throws IOException {
        Files.createDirectories(dir);
        writeCsv(dir.resolve("requests.csv"), REQUESTS_HEADER, families, (family, run) -> run.outcomes().stream()
                .map(o -> requestRow(family, run.policy(), o)));
        writeCsv(dir.resolve("transitions.csv"), TRANSITIONS_HEADER, families, (family, run) -> run.timeline()
                .changes().stream().map(c -> transitionRow(family, run.policy(), c)));
    }

    /** A header, then the rows of every policy's run of every family, in the runs' order. */
    private static void writeCsv(Path file, String header, List<SimulationSuite.FamilyResult> families,
            BiFunction<String, RunResult, Stream<String>> rows) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(header + "\n");
            for (SimulationSuite.FamilyResult f : families) {
                for (RunResult run : f.runs()) {
                    for (String row : (Iterable<String>) rows.apply(f.trace().family().id(), run)::iterator) {
                        w.write(row);
                        w.write('\n');
                    }
                }
            }
        }
    }

    String requestRow(String family, String policy, RequestOutcome o) {
        Request q = o.request();
        return String.join(",", family, policy, String.valueOf(q.id()), q.role(), num(q.arrivalSeconds()),
                String.valueOf(q.promptTokens()), String.valueOf(q.outputTokens()),
                o.served() ? o.servedBy() : "", placement(o.placement()),
                String.valueOf(o.byFallback()), num(o.startSeconds() - q.arrivalSeconds()), num(o.ttftSeconds()),
                num(o.tpotSeconds()), num(o.finishSeconds()), num(o.cost(cost)));
    }

    static String transitionRow(String family, String policy, Timeline.Change c) {
        Transition t = c.transition();
        return String.join(",", family, policy, num(c.atSeconds()), t.role(), placement(t.from()),
                placement(t.to()), num(t.seconds()), String.valueOf(t.bytesMoved()));
    }

    /** State, variant and GPU layers as three columns; empty for an unserved request (NaN times are empty too). */
    private static String placement(RolePlacement p) {
        return p == null ? ",," : p.state() + "," + p.variant() + "," + p.gpuLayers();
    }
}
