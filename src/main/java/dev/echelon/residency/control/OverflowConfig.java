package dev.echelon.residency.control;

import dev.echelon.config.EchelonConfig;
import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.Overflow;

import java.util.Optional;
import java.util.function.DoublePredicate;

/**
 * The deployment's {@code orchestrator.residency.overflow.*} settings as the planner's {@link Overflow.Settings}:
 * empty when the overflow is off, the rule's defaults where a value is unset, and a value out of its range refused
 * at startup with its own key (the rule's constructor would only name the whole set).
 */
final class OverflowConfig {

    private static final String PREFIX = "orchestrator.residency.overflow.";

    private OverflowConfig() {
    }

    /** @throws InvalidSettingException naming the first value out of its range */
    static Optional<Overflow.Settings> read(EchelonConfig.Residency.Overflow config) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        Overflow.Settings d = Overflow.Settings.DEFAULTS;
        return Optional.of(new Overflow.Settings(
                value("slo-factor", config.sloFactor(), d.sloFactor(), v -> v >= 1, "must be at least 1"),
                value("max-share", config.maxShare(), d.maxShare(), v -> v >= 0 && v <= 1,
                        "must be between 0 and 1"),
                value("window-s", config.windowS(), d.windowSeconds(), v -> v > 0, "must be more than 0"),
                value("tail-quantile", config.tailQuantile(), d.tailQuantile(), v -> v >= 0 && v < 1,
                        "must be at least 0 and less than 1"),
                value("tail-window-s", config.tailWindowS(), d.tailWindowSeconds(), v -> v > 0,
                        "must be more than 0")));
    }

    private static double value(String key, Optional<Double> set, double fallback, DoublePredicate valid,
            String rule) {
        double v = set.orElse(fallback);
        if (!valid.test(v)) { // NaN fails every range
            throw new InvalidSettingException(PREFIX + key, rule + " (was " + v + ")");
        }
        return v;
    }
}
