package dev.echelon.speculation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.echelon.supervisor.DraftSettings;
import dev.echelon.supervisor.SpeculationLaunch;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Speculation on the request path: before a generation, the draft length it should use; after it, what its timings
 * say. Where a role's servers honour per-request lengths, each request carries its category's length; where they do
 * not, a role's length changes by relaunching its servers with new flags — proposed by the {@link DraftTuner} with
 * hysteresis, applied when the role is idle so that no generation is cut, by a {@link Relauncher}.
 */
public final class SpeculationService {

    private static final Logger LOG = Logger.getLogger(SpeculationService.class);

    /** Relaunches a role's servers so that its current {@link DraftSettings} take effect. */
    @FunctionalInterface
    public interface Relauncher {
        CompletableFuture<Void> relaunch(String role);
    }

    /**
     * How one generation speculates.
     *
     * @param nMax       the draft length in force (0: the server does not speculate)
     * @param perRequest whether {@link #apply} writes the length into the request
     * @param concurrent generations on the role when this one started, itself included
     */
    public record Plan(String role, String category, int nMax, boolean perRequest, int concurrent, String reason) {

        public static Plan none(String role, String category) {
            return new Plan(role, category, 0, false, 1, "the role does not speculate");
        }

        public boolean speculates() {
            return nMax > 0;
        }
    }

    private final DraftSettings drafts;
    private final DraftTuner tuner;
    private final SpeculationTelemetry telemetry;
    private final Relauncher relauncher;
    private final LongSupplier clockMs;
    private final Map<String, ServerBehaviour> behaviour = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, DraftTuner.Retune> pending = new ConcurrentHashMap<>();
    private final Map<String, String> lastRetune = new ConcurrentHashMap<>();
    private final Map<String, SpeculationLaunch> lastDraft = new ConcurrentHashMap<>();

    private final boolean adapt;

    public SpeculationService(DraftSettings drafts, DraftTuner tuner, SpeculationTelemetry telemetry,
            Relauncher relauncher, LongSupplier clockMs) {
        this(drafts, tuner, telemetry, relauncher, clockMs, true);
    }

    /** @param adapt false: lengths stay the registry's; telemetry is still kept */
    public SpeculationService(DraftSettings drafts, DraftTuner tuner, SpeculationTelemetry telemetry,
            Relauncher relauncher, LongSupplier clockMs, boolean adapt) {
        this.adapt = adapt;
        this.drafts = drafts;
        this.tuner = tuner;
        this.telemetry = telemetry;
        this.relauncher = relauncher;
        this.clockMs = clockMs;
    }

    /** No role speculates under Echelon's control: plans are empty, telemetry is kept in memory only. */
    public static SpeculationService disabled() {
        return new SpeculationService(new DraftSettings(), new DraftTuner(DraftTuner.Settings.DEFAULTS, r -> 0.05,
                r -> 0), SpeculationTelemetry.standalone(), role -> CompletableFuture.completedFuture(null),
                System::currentTimeMillis);
    }

    public SpeculationTelemetry telemetry() {
        return telemetry;
    }

    public DraftTuner tuner() {
        return tuner;
    }

    /**
     * The acceptance α measured for {@code role}'s draft, while the role speculates with one; empty when it does not
     * (no pair, drafting turned off, an n-gram lookup) or before enough has been drafted to tell.
     */
    public java.util.OptionalDouble measuredAcceptance(String role) {
        if (drafts.of(role).mode() != SpeculationLaunch.Mode.DRAFT) {
            return java.util.OptionalDouble.empty();
        }
        return tuner.measuredAlpha(role).map(java.util.OptionalDouble::of).orElse(java.util.OptionalDouble.empty());
    }

    /** Records what the honour probe found for {@code role}'s servers. */
    public void behaviour(String role, ServerBehaviour b) {
        behaviour.put(role, b);
    }

    public ServerBehaviour behaviour(String role) {
        return behaviour.getOrDefault(role, ServerBehaviour.UNKNOWN);
    }

    /** Starts a generation of {@code role} for {@code category}: the length it will draft. Pair with {@link #finish}. */
    public Plan begin(String role, String category) {
        int concurrent = inFlight.computeIfAbsent(role, r -> new AtomicInteger()).incrementAndGet();
        SpeculationLaunch launch = drafts.of(role);
        switch (launch.mode()) {
            case OFF:
                return new Plan(role, category, 0, false, concurrent,
                        drafts.reason(role).orElse("the role does not speculate"));
            case NGRAM:
                return new Plan(role, category, launch.nMax(), false, concurrent, "n-gram lookup");
            default:
                break;
        }
        if (adapt && behaviour(role) == ServerBehaviour.PER_REQUEST) {
            DraftTuner.Choice c = tuner.perRequest(role, category, concurrent);
            return new Plan(role, category, c.nMax(), true, concurrent, c.reason());
        }
        return new Plan(role, category, launch.nMax(), false, concurrent, "server flag (" + behaviour(role) + ")");
    }

    /**
     * Writes the plan's length into a request body (llama-server's flat {@code speculative.*} fields); a length of 0
     * asks for no drafting at all.
     */
    public static void apply(Plan plan, ObjectNode body) {
        if (!plan.perRequest()) {
            return;
        }
        body.put("speculative.n_max", plan.nMax());
        body.put("speculative.n_min", 0);
    }

    /**
     * Ends a generation: learns from its timings (when it has any), exports them, and — for a role whose servers
     * ignore per-request lengths — may schedule a relaunch with a better one. Returns the sample read.
     */
    public Optional<DraftSample> finish(Plan plan, JsonNode timings) {
        AtomicInteger flying = inFlight.computeIfAbsent(plan.role(), r -> new AtomicInteger());
        Optional<DraftSample> sample = DraftSample.from(timings, plan.nMax(), plan.concurrent());
        if (sample.isPresent() && drafts.of(plan.role()).mode() == SpeculationLaunch.Mode.DRAFT) {
            tuner.record(plan.role(), plan.category(), sample.get());
        }
        sample.ifPresent(s -> telemetry.record(plan.role(), plan.category(), s));
        if (adapt && behaviour(plan.role()) == ServerBehaviour.PER_INSTANCE && sample.isPresent()) {
            SpeculationLaunch now = drafts.of(plan.role());
            int current = now.mode() == SpeculationLaunch.Mode.DRAFT ? now.nMax() : 0;
            tuner.perInstance(plan.role(), current, clockMs.getAsLong())
                    .ifPresent(r -> pending.put(plan.role(), r));
        }
        if (flying.decrementAndGet() == 0) {
            applyPending(plan.role());
        }
        return sample;
    }

    /** A generation that ended without timings (failed, cancelled): only the in-flight count changes. */
    public void abandon(Plan plan) {
        if (inFlight.computeIfAbsent(plan.role(), r -> new AtomicInteger()).decrementAndGet() == 0) {
            applyPending(plan.role());
        }
    }

    /** Relaunches an idle role whose servers should draft another length; nothing is cut short. */
    private void applyPending(String role) {
        DraftTuner.Retune r = pending.remove(role);
        if (r == null) {
            return;
        }
        SpeculationLaunch old = drafts.of(role);
        if (old.mode() == SpeculationLaunch.Mode.DRAFT) {
            lastDraft.put(role, old); // OFF carries no n_min / p_min: drafting comes back with the last ones
        }
        SpeculationLaunch next = r.nMax() == 0 ? SpeculationLaunch.OFF
                : lastDraft.getOrDefault(role, SpeculationLaunch.draft(r.nMax(), 0, 0.0)).withNMax(r.nMax());
        drafts.set(role, next, "adapted: " + r.reason());
        lastRetune.put(role, r.reason());
        telemetry.retuned(role);
        LOG.infof("speculation: %s relaunches with %s — %s", role, next, r.reason());
        relauncher.relaunch(role).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warnf("speculation: relaunching %s with %s failed: %s", role, drafts.of(role), e.toString());
            }
        });
    }

    /** Per role: how it speculates, what the servers honour, the last adaptation, and the tuner's estimates. */
    public Map<String, Object> explain() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> tuned = tuner.explain();
        drafts.snapshot().forEach((role, launch) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("launch", launch.toString());
            m.put("why", drafts.reason(role).orElse(null));
            m.put("server_behaviour", behaviour(role).name().toLowerCase(java.util.Locale.ROOT));
            m.put("last_adaptation", lastRetune.get(role));
            m.put("categories", tuned.getOrDefault(role, Map.of()));
            out.put(role, m);
        });
        return out;
    }
}
