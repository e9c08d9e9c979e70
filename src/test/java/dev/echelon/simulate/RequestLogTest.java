package dev.echelon.simulate;

import dev.echelon.residency.policy.OfflineOptimum;
import dev.echelon.residency.policy.RequestCost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestLogTest {

    @Test
    void everyRequestAndEveryChangeOfEveryPolicyIsLoggedAndTheCostsAddUpToTheSummary(@TempDir Path dir)
            throws Exception {
        SimulationSuite suite = new SimulationSuite(SimFixtures.MODEL, Simulator.Settings.DEFAULT,
                PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT), OfflineOptimum.Settings.DEFAULT);
        // bursts, 15 min: the planner and the optimum both move roles, and the optimum substitutes some requests
        SimulationSuite.FamilyResult f = suite.run(TraceFamily.BURSTS, 1, 900,
                List.of("ttl-lru", "planner", OfflineOptimum.NAME));
        new RequestLog(RequestCost.DEFAULT).write(dir, List.of(f));

        List<String> requests = Files.readAllLines(dir.resolve("requests.csv"));
        assertEquals(RequestLog.REQUESTS_HEADER, requests.get(0));
        int n = f.trace().requests().size();
        assertEquals(1 + 3 * n, requests.size(), "one row per request and policy");
        Map<String, Double> costSum = new HashMap<>();
        int byFallback = 0;
        for (String row : requests.subList(1, requests.size())) {
            String[] c = row.split(",", -1);
            assertEquals(17, c.length, row);
            assertEquals("bursts", c[0]);
            costSum.merge(c[1], Double.parseDouble(c[16]), Double::sum);
            if (Boolean.parseBoolean(c[11])) {
                byFallback++;
                assertNotEquals(c[3], c[7], "a request served by a fallback names the role that served it: " + row);
            }
            double wait = Double.parseDouble(c[12]);
            double ttft = Double.parseDouble(c[13]);
            assertTrue(wait >= 0 && ttft >= wait, "TTFT is the wait plus the prefill: " + row);
        }
        assertTrue(byFallback > 0, "some request was served by a fallback");
        for (PolicyMetrics m : f.metrics()) {
            assertEquals(m.meanCost(), costSum.get(m.policy()) / n, 1e-3,
                    m.policy() + ": the logged costs are the ones the summary's mean cost (and regret) is made of");
        }

        List<String> transitions = Files.readAllLines(dir.resolve("transitions.csv"));
        assertEquals(RequestLog.TRANSITIONS_HEADER, transitions.get(0));
        Map<String, Integer> perPolicy = new HashMap<>();
        for (String row : transitions.subList(1, transitions.size())) {
            String[] c = row.split(",", -1);
            assertEquals(12, c.length, row);
            perPolicy.merge(c[1], 1, Integer::sum);
        }
        for (RunResult run : f.runs()) {
            assertEquals(run.transitions(), perPolicy.getOrDefault(run.policy(), 0), run.policy());
        }
        assertTrue(perPolicy.get("planner") > 0, "the planner moved something in 15 min of bursts");
    }

    @Test
    void theFlagTakesNoValue() {
        Map<String, String> opt = SimulateMain.parse(new String[] {"--requests", "--seed", "7"});
        assertEquals("true", opt.get("requests"));
        assertEquals("7", opt.get("seed"));
    }
}
