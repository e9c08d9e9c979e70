package dev.echelon.residency.control;

import dev.echelon.config.EchelonConfig;
import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.plan.GuardrailSettings;
import dev.echelon.residency.plan.PlannerSettings;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The deployment's planning settings ({@code orchestrator.residency.min-dwell-ms}, {@code max-transitions},
 * {@code transition-window-ms}, {@code horizon-s}) as the planner's guardrails and horizon: the planner's own
 * defaults ({@link GuardrailSettings#DEFAULTS}, {@link PlannerSettings#DEFAULTS}) where a value is unset, and a value
 * out of its range refused at startup with its own key. One table — key, default, range — serves the controller,
 * what {@code /admin/config} shows, and the simulator's {@code --planner}, so the planner the simulator measures is
 * the planner a deployment runs. (They once differed: the service defaulted to 8 transitions per window, the
 * simulated planner to 6, until round 40 of bench/residency.)
 */
public final class PlannerConfig {

    private static final String PREFIX = "orchestrator.residency.";

    /**
     * What these settings decide, in the planner's units (seconds).
     *
     * @param guardrails     dwell, anti-thrash window and cap; flap damping and the swap budget as the planner ships
     * @param horizonSeconds how far ahead the planner prices expected requests against moving weights
     */
    public record Values(GuardrailSettings guardrails, double horizonSeconds) {

        /** The planner's defaults: what an unset deployment and a plain simulation run. */
        public static final Values DEFAULTS = new Values(GuardrailSettings.DEFAULTS,
                PlannerSettings.DEFAULTS.horizonSeconds());

        /** The planner's own settings with this horizon. */
        public PlannerSettings planner() {
            return PlannerSettings.DEFAULTS.withHorizonSeconds(horizonSeconds);
        }
    }

    /**
     * One bound: its key under {@link #PREFIX}, where the deployment sets it, its value in the deployment's unit
     * (milliseconds, a count, or seconds; the default is that of {@link Values#DEFAULTS}), and its range.
     */
    private record Bound(String key, Function<EchelonConfig.Residency, Optional<Double>> set,
            ToDoubleFunction<Values> component, DoublePredicate valid, String rule) {

        double value(Optional<Double> given) {
            return given.orElse(component.applyAsDouble(Values.DEFAULTS));
        }
    }

    /** In the order {@link #values} reads them. */
    private static final List<Bound> BOUNDS = List.of(
            new Bound("min-dwell-ms", r -> r.minDwellMs().map(Long::doubleValue),
                    v -> v.guardrails().dwellSeconds() * 1000, v -> v >= 0, "must be at least 0"),
            new Bound("max-transitions", r -> r.maxTransitions().map(Integer::doubleValue),
                    v -> v.guardrails().maxTransitionsPerWindow(),
                    v -> v >= 1 && v == Math.rint(v) && v <= Integer.MAX_VALUE, "must be a whole number of at least 1"),
            new Bound("transition-window-ms", r -> r.transitionWindowMs().map(Long::doubleValue),
                    v -> v.guardrails().windowSeconds() * 1000, v -> v > 0, "must be more than 0"),
            new Bound("horizon-s", EchelonConfig.Residency::horizonS, Values::horizonSeconds, v -> v > 0,
                    "must be more than 0"));

    private PlannerConfig() {
    }

    /** @throws InvalidSettingException naming the first value out of its range */
    static Values read(EchelonConfig.Residency config) {
        return values(b -> b.set().apply(config));
    }

    /**
     * The same settings written as a command line's value, for {@code ./echelon simulate --planner}: {@code defaults},
     * or {@code key=value} pairs separated by commas, by the keys the deployment sets
     * ({@code max-transitions=12,min-dwell-ms=10000}); an unset key keeps its default, as in a deployment.
     *
     * @throws InvalidSettingException naming a value out of its range, as a deployment's would be refused
     * @throws IllegalArgumentException for an unknown key, a repeated key or a value that is not a number
     */
    public static Values parse(String spec) {
        String s = spec.trim();
        if (s.equals("defaults")) {
            return Values.DEFAULTS;
        }
        Map<String, Double> given = KeyValueSpec.parse(s, byKey(Values.DEFAULTS), "defaults, or ");
        return values(b -> Optional.ofNullable(given.get(b.key())));
    }

    /** What {@link #parse} reads back as the same settings: each key with its value in force. */
    public static String format(Values values) {
        return KeyValueSpec.format(byKey(values));
    }

    /** Each key's value in force (given, or the default), unchecked: what the effective configuration shows. */
    public static Map<String, Object> inForce(EchelonConfig.Residency config) {
        Map<String, Object> out = new LinkedHashMap<>();
        BOUNDS.forEach(b -> {
            double v = b.value(b.set().apply(config));
            out.put(b.key(), v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v);
        });
        return out;
    }

    /** Settings by the keys a deployment sets them with, in the deployment's units: what a simulation ran with. */
    public static Map<String, Double> byKey(Values values) {
        Map<String, Double> out = new LinkedHashMap<>();
        BOUNDS.forEach(b -> out.put(b.key(), b.component().applyAsDouble(values)));
        return out;
    }

    /** Each bound's given value or its default, checked against its range; the first out of range is refused. */
    private static Values values(Function<Bound, Optional<Double>> given) {
        double[] v = new double[BOUNDS.size()];
        for (int i = 0; i < v.length; i++) {
            Bound b = BOUNDS.get(i);
            v[i] = b.value(given.apply(b));
            if (!b.valid().test(v[i])) { // NaN fails every range
                throw new InvalidSettingException(PREFIX + b.key(),
                        b.rule() + " (was " + KeyValueSpec.plain(v[i]) + ")");
            }
        }
        GuardrailSettings d = GuardrailSettings.DEFAULTS;
        return new Values(new GuardrailSettings(v[0] / 1000, v[2] / 1000, (int) v[1], d.flapWindowSeconds(),
                d.maxDwellDoublings(), d.maxSwapsPerPair()), v[3]);
    }
}
