package dev.echelon.residency.control;

import dev.echelon.config.InvalidSettingException;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidencyPolicy;
import dev.echelon.residency.plan.GuardrailSettings;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every policy name the setting accepts resolves to that policy; anything else is refused with the list. */
class ResidencyPoliciesTest {

    static final ResidencyPolicies.Settings SETTINGS = new ResidencyPolicies.Settings(GuardrailSettings.DEFAULTS, 60,
            1);

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
    void anUnknownNameIsASettingError() {
        ResidencyModel model = FakeFleet.model(FakeFleet.REGISTRY_BUDGETS);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ResidencyPolicies.create("lru", model, SETTINGS));
        assertTrue(e.getMessage().startsWith("orchestrator.residency.policy (ORCHESTRATOR_RESIDENCY_POLICY): "
                + "unknown policy 'lru' (known: planner, static, count-lru, ttl-lru, swap-one, rb)"), e.getMessage());
    }
}
