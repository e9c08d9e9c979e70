package dev.echelon.residency.control;

import dev.echelon.config.EchelonConfig;
import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.Overflow;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The overflow's deployment settings: off, defaults for what is unset, and each bad value refused by its key. */
class OverflowConfigTest {

    /** The settings as a deployment would give them: {@code values} by key, the rest unset. */
    private record Given(boolean enabled, Map<String, Double> values) implements EchelonConfig.Residency.Overflow {
        @Override
        public Optional<Double> sloFactor() {
            return Optional.ofNullable(values.get("slo-factor"));
        }

        @Override
        public Optional<Double> maxShare() {
            return Optional.ofNullable(values.get("max-share"));
        }

        @Override
        public Optional<Double> windowS() {
            return Optional.ofNullable(values.get("window-s"));
        }

        @Override
        public Optional<Double> tailQuantile() {
            return Optional.ofNullable(values.get("tail-quantile"));
        }

        @Override
        public Optional<Double> tailWindowS() {
            return Optional.ofNullable(values.get("tail-window-s"));
        }
    }

    @Test
    void unsetValuesAreTheRulesDefaults() {
        assertEquals(Optional.of(Overflow.Settings.DEFAULTS), OverflowConfig.read(new Given(true, Map.of())));
    }

    @Test
    void offMeansNoRuleWhateverTheValues() {
        assertEquals(Optional.empty(), OverflowConfig.read(new Given(false, Map.of("max-share", 7.0))));
    }

    @Test
    void setValuesReplaceTheirDefaultsOnly() {
        Overflow.Settings s = OverflowConfig.read(new Given(true, Map.of("slo-factor", 4.0, "max-share", 0.05,
                "tail-quantile", 0.0))).orElseThrow();
        Overflow.Settings d = Overflow.Settings.DEFAULTS;
        assertEquals(new Overflow.Settings(4.0, 0.05, d.windowSeconds(), 0.0, d.tailWindowSeconds()), s);
    }

    @Test
    void eachValueOutOfItsRangeIsRefusedByItsOwnKey() {
        refused("slo-factor", 0.5, "ORCHESTRATOR_RESIDENCY_OVERFLOW_SLO_FACTOR", "must be at least 1 (was 0.5)");
        refused("max-share", 1.5, "ORCHESTRATOR_RESIDENCY_OVERFLOW_MAX_SHARE", "must be between 0 and 1 (was 1.5)");
        refused("max-share", -0.1, "ORCHESTRATOR_RESIDENCY_OVERFLOW_MAX_SHARE", "must be between 0 and 1 (was -0.1)");
        refused("window-s", 0.0, "ORCHESTRATOR_RESIDENCY_OVERFLOW_WINDOW_S", "must be more than 0 (was 0.0)");
        refused("tail-quantile", 1.0, "ORCHESTRATOR_RESIDENCY_OVERFLOW_TAIL_QUANTILE",
                "must be at least 0 and less than 1 (was 1.0)");
        refused("tail-window-s", Double.NaN, "ORCHESTRATOR_RESIDENCY_OVERFLOW_TAIL_WINDOW_S",
                "must be more than 0 (was NaN)");
    }

    private static void refused(String key, double value, String env, String reason) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> OverflowConfig.read(new Given(true, Map.of(key, value))));
        assertEquals("orchestrator.residency.overflow." + key + " (" + env + "): " + reason, e.getMessage());
    }

    @Test
    void theSimulatorsValueMeansWhatTheSameSettingsMeanInADeployment() {
        assertEquals(Optional.empty(), OverflowConfig.parse("off"));
        assertEquals(Optional.of(Overflow.Settings.DEFAULTS), OverflowConfig.parse("on"));
        assertEquals(OverflowConfig.read(new Given(true, Map.of("max-share", 0.04, "slo-factor", 3.0))),
                OverflowConfig.parse("max-share=0.04, slo-factor=3"));
        Overflow.Settings s = new Overflow.Settings(3, 0.04, 300, 0.9, 1800);
        String written = OverflowConfig.byKey(s).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .reduce((a, b) -> a + "," + b).orElseThrow();
        assertEquals("slo-factor=3.0,max-share=0.04,window-s=300.0,tail-quantile=0.9,tail-window-s=1800.0", written);
        assertEquals(Optional.of(s), OverflowConfig.parse(written), "byKey writes what parse reads back");
    }

    @Test
    void aBadSimulatorValueIsRefusedByItsKey() {
        InvalidSettingException range = assertThrows(InvalidSettingException.class,
                () -> OverflowConfig.parse("slo-factor=3,max-share=1.5"));
        assertEquals("orchestrator.residency.overflow.max-share (ORCHESTRATOR_RESIDENCY_OVERFLOW_MAX_SHARE): "
                + "must be between 0 and 1 (was 1.5)", range.getMessage(), "the deployment's own refusal");
        Map<String, String> bad = Map.of(
                "share=0.1", "unknown setting 'share' (off, on, or key=value pairs separated by commas; keys: "
                        + "[slo-factor, max-share, window-s, tail-quantile, tail-window-s])",
                "", "unknown setting '' (off, on, or key=value pairs separated by commas; keys: "
                        + "[slo-factor, max-share, window-s, tail-quantile, tail-window-s])",
                "max-share", "max-share needs a value, e.g. max-share=0.02",
                "window-s=ten", "window-s takes a number: 'ten'",
                "max-share=0.1,max-share=0.2", "max-share is given twice");
        bad.forEach((spec, message) -> assertEquals(message,
                assertThrows(IllegalArgumentException.class, () -> OverflowConfig.parse(spec)).getMessage(), spec));
    }
}
