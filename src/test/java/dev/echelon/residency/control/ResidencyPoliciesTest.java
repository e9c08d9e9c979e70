package dev.echelon.residency.control;

import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.plan.GuardrailSettings;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every policy name the setting accepts resolves to that policy; anything else is refused with the list. Only the
 * planner has the overflow rule, with the deployment's settings.
 */
class ResidencyPoliciesTest {

    static final ResidencyPolicies.Settings SETTINGS = new ResidencyPolicies.Settings(GuardrailSettings.DEFAULTS, 60,
            1, Optional.of(Overflow.Settings.DEFAULTS));

    @Test
    void eachNameGivesThePolicyOfThatName() {
        ResidencyModel model = FakeFleet.model(FakeFleet.REGISTRY_BUDGETS);
        assertEquals(6, ResidencyPolicies.NAMES.size());
        for (String name : ResidencyPolicies.NAMES) {
            ResidencyPolicy p = ResidencyPolicies.create(name, model, SETTINGS);
            assertEquals(name, p.name());
        }
        assertEquals("planner", ResidencyPolicies.create("  Planner ", model, SETTINGS).name());
    }

    @Test
    void thePlannerOverflowsAsConfiguredAndThePeersNever() {
        ResidencyModel model = FakeFleet.model(FakeFleet.REGISTRY_BUDGETS);
        Overflow.Settings wider = new Overflow.Settings(4, 0.05, 300, 0.9, 1800);
        ResidencyPolicy planner = ResidencyPolicies.create("planner", model,
                new ResidencyPolicies.Settings(GuardrailSettings.DEFAULTS, 60, 1, Optional.of(wider)));
        assertEquals(wider, planner.overflow().orElseThrow().settings());
        ResidencyPolicy off = ResidencyPolicies.create("planner", model,
                new ResidencyPolicies.Settings(GuardrailSettings.DEFAULTS, 60, 1, Optional.empty()));
        assertEquals(Optional.empty(), off.overflow());
        assertEquals(-1L, off.explain().get("overflowed"), "the report tells off from nothing sent yet");
        for (String name : ResidencyPolicies.NAMES) {
            if (!name.equals("planner")) {
                assertEquals(Optional.empty(), ResidencyPolicies.create(name, model, SETTINGS).overflow(), name);
            }
        }
    }

    @Test
    void anUnknownNameIsASettingError() {
        ResidencyModel model = FakeFleet.model(FakeFleet.REGISTRY_BUDGETS);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ResidencyPolicies.create("lru", model, SETTINGS));
        assertTrue(e.getMessage().startsWith("orchestrator.residency.policy (ORCHESTRATOR_RESIDENCY_POLICY): "
                + "unknown policy 'lru' (known: planner, static, count-lru, ttl-lru, swap-one, rb)"), e.getMessage());
    }
}
