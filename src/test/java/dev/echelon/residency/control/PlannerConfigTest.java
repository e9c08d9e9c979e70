package dev.echelon.residency.control;

import dev.echelon.config.EchelonConfig;
import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.plan.GuardrailSettings;
import dev.echelon.residency.plan.PlannerSettings;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The planning settings a deployment gives (dwell, transition cap and window, horizon) are the planner's: its own
 * defaults where unset, the same values the simulator's {@code --planner} gives, each bad value refused by its key.
 */
class PlannerConfigTest {

    /** The residency settings as a deployment would give them: the planning values by accessor, the rest unset. */
    private static EchelonConfig.Residency given(Map<String, Object> values) {
        return (EchelonConfig.Residency) Proxy.newProxyInstance(EchelonConfig.Residency.class.getClassLoader(),
                new Class<?>[] {EchelonConfig.Residency.class},
                (proxy, method, args) -> Optional.ofNullable(values.get(method.getName())));
    }

    @Test
    void anUnsetDeploymentRunsThePlannerTheSimulatorMeasures() {
        PlannerConfig.Values unset = PlannerConfig.read(given(Map.of()));
        assertEquals(PlannerConfig.Values.DEFAULTS, unset);
        assertEquals(GuardrailSettings.DEFAULTS, unset.guardrails());
        assertEquals(PlannerSettings.DEFAULTS, unset.planner());
        assertEquals(unset, PlannerConfig.parse("defaults"));
        assertEquals(Map.of("min-dwell-ms", 30000L, "max-transitions", 8L, "transition-window-ms", 60000L,
                "horizon-s", 60L), PlannerConfig.inForce(given(Map.of())), "what /admin/config shows");
    }

    @Test
    void setValuesReplaceTheirDefaultsOnlyAndMeanTheSameInTheSimulator() {
        PlannerConfig.Values v = PlannerConfig.read(given(Map.of("maxTransitions", 12, "minDwellMs", 10_000L,
                "horizonS", 120.0)));
        GuardrailSettings d = GuardrailSettings.DEFAULTS;
        assertEquals(new GuardrailSettings(10, d.windowSeconds(), 12, d.flapWindowSeconds(), d.maxDwellDoublings(),
                d.maxSwapsPerPair()), v.guardrails());
        assertEquals(PlannerSettings.DEFAULTS.withHorizonSeconds(120), v.planner());
        assertEquals(v, PlannerConfig.parse("max-transitions=12, min-dwell-ms=10000,horizon-s=120"));
        assertEquals("min-dwell-ms=10000,max-transitions=12,transition-window-ms=60000,horizon-s=120",
                PlannerConfig.format(v));
        assertEquals(v, PlannerConfig.parse(PlannerConfig.format(v)), "the written form reads back as the same");
    }

    @Test
    void eachValueOutOfItsRangeIsRefusedByItsOwnKey() {
        refused("minDwellMs", -1L, "min-dwell-ms=-1", "min-dwell-ms", "must be at least 0 (was -1)");
        refused("maxTransitions", 0, "max-transitions=0", "max-transitions",
                "must be a whole number of at least 1 (was 0)");
        refused("transitionWindowMs", 0L, "transition-window-ms=0", "transition-window-ms",
                "must be more than 0 (was 0)");
        refused("horizonS", Double.NaN, "horizon-s=NaN", "horizon-s", "must be more than 0 (was NaN)");
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> PlannerConfig.parse("max-transitions=2.5"));
        assertEquals("orchestrator.residency.max-transitions (ORCHESTRATOR_RESIDENCY_MAX_TRANSITIONS): must be a "
                + "whole number of at least 1 (was 2.5)", e.getMessage());
    }

    @Test
    void aBadSimulatorValueIsRefusedWithWhatIsWrong() {
        assertEquals("unknown setting 'dwell' (defaults, or key=value pairs separated by commas; keys: "
                + "[min-dwell-ms, max-transitions, transition-window-ms, horizon-s])",
                assertThrows(IllegalArgumentException.class, () -> PlannerConfig.parse("dwell=3")).getMessage());
        assertEquals("horizon-s needs a value, e.g. horizon-s=60",
                assertThrows(IllegalArgumentException.class, () -> PlannerConfig.parse("horizon-s")).getMessage());
        assertEquals("max-transitions takes a number: 'eight'", assertThrows(IllegalArgumentException.class,
                () -> PlannerConfig.parse("max-transitions=eight")).getMessage());
        assertEquals("horizon-s is given twice", assertThrows(IllegalArgumentException.class,
                () -> PlannerConfig.parse("horizon-s=30,horizon-s=90")).getMessage());
    }

    private static void refused(String accessor, Object value, String spec, String key, String reason) {
        String env = "ORCHESTRATOR_RESIDENCY_" + key.toUpperCase().replace('-', '_');
        String expected = "orchestrator.residency." + key + " (" + env + "): " + reason;
        assertEquals(expected, assertThrows(InvalidSettingException.class,
                () -> PlannerConfig.read(given(Map.of(accessor, value)))).getMessage(), "deployment");
        assertEquals(expected, assertThrows(InvalidSettingException.class,
                () -> PlannerConfig.parse(spec)).getMessage(), "simulator");
    }
}
