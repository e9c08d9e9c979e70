package dev.echelon.simulate;

import dev.echelon.cost.CostModel;
import dev.echelon.registry.*;
import dev.echelon.residency.*;
import dev.echelon.residency.policy.*;
import java.nio.file.Path;
import java.util.*;

/**
 * A diagnosis aid, not a test: replays one trace family under one policy and prints the requests with the worst
 * TTFT (role, prompt, where they were served), and — for a time window — every transition, every request and every
 * decision that changed the target (with the observation it saw and its cause). This is how the planner's p95 tail
 * was traced to its causes (bench/residency/README.md).
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) dev.echelon.simulate.TailDiagnosis \
 *     FAMILY POLICY WORST [SEED [FROM TO]]
 * </pre>
 * Environment: {@code ALL=1} prints every decision in the window, {@code EXPLAIN=T} the policy's explain() at the
 * decision taken at simulated time T.
 */
public final class TailDiagnosis {

    private TailDiagnosis() {
    }

    public static void main(String[] a) throws Exception {
        ModelRegistry registry = new RegistryLoader(RegistryMode.FULL, Path.of("models"), false).load(Path.of("model_registry.yaml"));
        ResidencyModel model = ResidencyModel.of(registry, new Budgets(registry.residency().gpuBytes(), registry.residency().hostRamBytes()), new CostModel());
        TraceFamily fam = Arrays.stream(TraceFamily.values()).filter(f -> f.name().equalsIgnoreCase(a[0].replace('-', '_'))).findFirst().orElseThrow();
        Trace trace = new TraceGenerator(model).generate(fam, a.length > 3 ? Long.parseLong(a[3]) : 42, 3600);
        PolicyCatalog cat = PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT);
        ResidencyPolicy p0 = cat.create(a[1], model, trace);
        final double[] win = a.length > 4 ? new double[]{Double.parseDouble(a[4]), Double.parseDouble(a[5])} : new double[]{1e9, 0};
        ResidencyPolicy p = new ResidencyPolicy() {
            Placement last;
            public String name() { return p0.name(); }
            Decision log(Observation o, Decision d) {
                if (o.nowSeconds() >= win[0] && o.nowSeconds() <= win[1] && (last == null || !d.target().equals(last) || System.getenv("ALL") != null))
                    System.out.printf("  D %7.1f q=%s fl=%s tr=%s cur=%s%n     -> %s%n", o.nowSeconds(), o.queued(), o.inFlight(), o.inTransit(), o.current(), d.cause());
                if (System.getenv("EXPLAIN") != null && Math.abs(o.nowSeconds() - Double.parseDouble(System.getenv("EXPLAIN"))) < 0.01) System.out.println("EXPLAIN " + p0.explain() + "\nOBS " + o);
                last = d.target();
                return d;
            }
            public Decision onRequest(Observation o, String r) { return log(o, p0.onRequest(o, r)); }
            public Decision onRequest(Observation o, String r, int pt, int ot) { return log(o, p0.onRequest(o, r, pt, ot)); }
            public Decision onTick(Observation o) { return log(o, p0.onTick(o)); }
        };
        RunResult r = new Simulator(model).run(p, trace);
        int n = Integer.parseInt(a[2]);
        List<RequestOutcome> os = new ArrayList<>(r.outcomes());
        os.sort(Comparator.comparingDouble(RequestOutcome::ttftSeconds).reversed());
        for (int i = 0; i < Math.min(n, os.size()); i++) {
            RequestOutcome o = os.get(i);
            System.out.printf("t=%7.1f %-10s p=%5d o=%4d ttft=%7.1f by=%-10s at=%s start=%.1f%n", o.request().arrivalSeconds(), o.request().role(), o.request().promptTokens(), o.request().outputTokens(), o.ttftSeconds(), o.servedBy(), o.placement(), o.startSeconds());
        }
        if (a.length > 4) {
            double from = Double.parseDouble(a[4]), to = Double.parseDouble(a[5]);
            for (Timeline.Change c : r.timeline().changes()) if (c.atSeconds() >= from && c.atSeconds() <= to) System.out.printf("  %7.1f %s%n", c.atSeconds(), c.transition());
            for (RequestOutcome o : r.outcomes()) if (o.request().arrivalSeconds() >= from && o.request().arrivalSeconds() <= to)
                System.out.printf("  req t=%7.1f %-10s p=%5d ttft=%7.1f by=%-10s at=%s%n", o.request().arrivalSeconds(), o.request().role(), o.request().promptTokens(), o.ttftSeconds(), o.servedBy(), o.placement());
        }
    }
}
