package dev.echelon.residency.plan;

import dev.echelon.residency.Decision;
import dev.echelon.residency.Placement;
import dev.echelon.residency.ResidencyModel;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ShippedRegistryPlanTest {

    @Test
    void exploratory() {
        ResidencyModel model = PlanFixtures.shippedModel();
        EchelonPlanner p = new EchelonPlanner(model);
        Placement current = model.initialPlacement();
        System.out.println("initial " + current + " " + model.footprint(current));
        double t = 0;
        Map<String, Double> rates1 = Map.of("coder", 0.5, "frontdoor", 0.3);
        Map<String, Double> rates2 = Map.of("worker", 0.5, "architect", 0.3, "frontdoor", 0.3);
        for (; t < 600; t += 1) {
            Map<String, Double> rates = t < 300 ? rates1 : rates2;
            for (var e : rates.entrySet()) {
                double period = 1 / e.getValue();
                if (Math.floor(t / period) != Math.floor((t - 1) / period)) {
                    Decision d = p.onRequest(PlanFixtures.idle(t, current), e.getKey());
                    if (!d.target().equals(current)) {
                        System.out.println(t + " REQ " + d.cause());
                    }
                    current = d.target();
                }
            }
            Decision d = p.onTick(PlanFixtures.idle(t, current));
            if (!d.target().equals(current)) {
                System.out.println(t + " TICK " + d.cause());
            }
            current = d.target();
            if (t % 50 == 0) {
                System.out.println(t + " " + p.explain());
            }
        }
        assertTrue(model.fits(current));
    }
}
