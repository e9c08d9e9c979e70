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
 * key, default, range — serves both the planner and what {@code /admin/config} shows.
 */
public final class OverflowConfig {

    private static final String PREFIX = "orchestrator.residency.overflow.";

    /** One bound: its key under {@link #PREFIX}, where the deployment sets it, its default, and its range. */
    private record Bound(String key, Function<EchelonConfig.Residency.Overflow, Optional<Double>> set,
            ToDoubleFunction<Overflow.Settings> fallback, DoublePredicate valid, String rule) {

        double inForce(EchelonConfig.Residency.Overflow config) {
            return set.apply(config).orElse(fallback.applyAsDouble(Overflow.Settings.DEFAULTS));
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
        if (!config.enabled()) {
            return Optional.empty();
        }
        double[] v = new double[BOUNDS.size()];
        for (int i = 0; i < v.length; i++) {
            Bound b = BOUNDS.get(i);
            v[i] = b.inForce(config);
            if (!b.valid().test(v[i])) { // NaN fails every range
                throw new InvalidSettingException(PREFIX + b.key(), b.rule() + " (was " + v[i] + ")");
            }
        }
        return Optional.of(new Overflow.Settings(v[0], v[1], v[2], v[3], v[4]));
    }

    /** The switch and each bound's value in force (unchecked), by key: what the effective configuration shows. */
    public static Map<String, Object> inForce(EchelonConfig.Residency.Overflow config) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", config.enabled());
        BOUNDS.forEach(b -> out.put(b.key(), b.inForce(config)));
        return out;
    }
}
