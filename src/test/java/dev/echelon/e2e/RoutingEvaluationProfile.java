package dev.echelon.e2e;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * For {@link RoutingEvaluationTest}: simulated time off (fake backends answer at once) and its own backend ports, so
 * that the evaluation's ~1,600 backend calls take seconds and do not collide with other test profiles.
 */
public class RoutingEvaluationProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "orchestrator.mock.time-scale", "0",
                "orchestrator.backend-port-base", "19500");
    }
}
