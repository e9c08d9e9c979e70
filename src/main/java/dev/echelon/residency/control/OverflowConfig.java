package dev.echelon.residency.control;

import dev.echelon.config.EchelonConfig;
import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.Overflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The deployment's {@code orchestrator.residency.overflow.*} settings as the planner's {@link Overflow.Settings}:
 * empty when the overflow is off, the rule's defaults where a value is unset, and a value out of its range refused
 * at startup with its own key (the rule's constructor would only name the whole set). One table of the bounds —
 * key, default, range — serves the planner, what {@code /admin/config} shows, and the simulator's
 * {@code --overflow}, so a simulated setting means what the same setting means in a deployment.
 */
public final class OverflowConfig {

    private static final String PREFIX = "orchestrator.residency.overflow.";

    /**
     * One bound: its key under {@link #PREFIX}, where the deployment sets it, its component of the rule's settings
     * (the default is that component of {@link Overflow.Settings#DEFAULTS}), and its range.
     */
    private record Bound(String key, Function<EchelonConfig.Residency.Overflow, Optional<Double>> set,
            ToDoubleFunction<Overflow.Settings> component, DoublePredicate valid, String rule) {

        /** The given value, or the rule's default where none is given. */
        double value(Optional<Double> given) {
            return given.orElse(component.applyAsDouble(Overflow.Settings.DEFAULTS));
        }
    }

    /** In the order of {@link Overflow.Settings}' components. */
    private static final List<Bound> BOUNDS = List.of(
            new Bound("slo-factor", EchelonConfig.Residency.Overflow::sloFactor, Overflow.Settings::sloFactor,
                    v -> v >= 1, "must be at least 1"),
            new Bound("max-share", EchelonConfig.Residency.Overflow::maxShare, Overflow.Settings::maxShare,
                    v -> v >= 0 && v <= 1, "must be between 0 and 1"),
            new Bound("window-s", EchelonConfig.Residency.Overflow::windowS, Overflow.Settings::windowSeconds,
                    v -> v > 0, "must be more than 0"),
            new Bound("tail-quantile", EchelonConfig.Residency.Overflow::tailQuantile,
                    Overflow.Settings::tailQuantile, v -> v >= 0 && v < 1, "must be at least 0 and less than 1"),
            new Bound("tail-window-s", EchelonConfig.Residency.Overflow::tailWindowS,
                    Overflow.Settings::tailWindowSeconds, v -> v > 0, "must be more than 0"));

    private OverflowConfig() {
    }

    /** @throws InvalidSettingException naming the first value out of its range */
    static Optional<Overflow.Settings> read(EchelonConfig.Residency.Overflow config) {
        return config.enabled() ? Optional.of(settings(b -> b.set().apply(config))) : Optional.empty();
    }

    /**
     * The same settings written as a command line's value, for {@code ./echelon simulate --overflow}: {@code off},
     * {@code on} (the defaults), or {@code key=value} pairs separated by commas, by the keys the deployment sets
     * ({@code max-share=0.04,slo-factor=3}); an unset key keeps its default, as in a deployment.
     *
     * @throws InvalidSettingException naming a value out of its range, as a deployment's would be refused
     * @throws IllegalArgumentException for an unknown key, a repeated key or a value that is not a number
     */
    public static Optional<Overflow.Settings> parse(String spec) {
        String s = spec.trim();
        if (s.equals("off")) {
            return Optional.empty();
        }
        if (s.equals("on")) {
            return Optional.of(Overflow.Settings.DEFAULTS);
        }
        Map<String, Double> given = KeyValueSpec.parse(s, byKey(Overflow.Settings.DEFAULTS), "off, on, or ");
        return Optional.of(settings(b -> Optional.ofNullable(given.get(b.key()))));
    }

    /** What {@link #parse} reads back as the same settings: {@code off}, or each key with its value in force. */
    public static String format(Optional<Overflow.Settings> overflow) {
        return overflow.map(o -> KeyValueSpec.format(byKey(o))).orElse("off");
    }

    /** Each bound's given value or its default, checked against its range; the first out of range is refused. */
    private static Overflow.Settings settings(Function<Bound, Optional<Double>> given) {
        double[] v = new double[BOUNDS.size()];
        for (int i = 0; i < v.length; i++) {
            Bound b = BOUNDS.get(i);
            v[i] = b.value(given.apply(b));
            if (!b.valid().test(v[i])) { // NaN fails every range
                throw new InvalidSettingException(PREFIX + b.key(), b.rule() + " (was " + v[i] + ")");
            }
        }
        return new Overflow.Settings(v[0], v[1], v[2], v[3], v[4]);
    }

    /** The switch and each bound's value in force (unchecked), by key: what the effective configuration shows. */
    public static Map<String, Object> inForce(EchelonConfig.Residency.Overflow config) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", config.enabled());
        BOUNDS.forEach(b -> out.put(b.key(), b.value(b.set().apply(config))));
        return out;
    }

    /** Settings by the keys a deployment sets them with, in {@link #BOUNDS}' order: what a simulation ran with. */
    public static Map<String, Double> byKey(Overflow.Settings settings) {
        Map<String, Double> out = new LinkedHashMap<>();
        BOUNDS.forEach(b -> out.put(b.key(), b.component().applyAsDouble(settings)));
        return out;
    }
}
