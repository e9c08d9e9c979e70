package dev.echelon.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echelon.residency.Overflow;
import dev.echelon.residency.control.OverflowConfig;
import dev.echelon.residency.control.PlannerConfig;
import dev.echelon.residency.policy.OfflineOptimum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files say which planning settings and overflow the planner ran with, in the forms {@code --planner} and
 * {@code --overflow} read back.
 */
class ResultsWriterTest {

    @Test
    void theSettingsInForceAreWrittenAsTheOptionsThatWouldRepeatThem(@TempDir Path dir) throws Exception {
        Overflow.Settings given = new Overflow.Settings(3, 0.04, 600, 0.95, 3600);
        PlannerConfig.Values planning = PlannerConfig.parse("max-transitions=12");
        SimulationSuite suite = new SimulationSuite(SimFixtures.MODEL, Simulator.Settings.DEFAULT,
                PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT, planning, Optional.of(given)),
                OfflineOptimum.Settings.DEFAULT);
        SimulationSuite.FamilyResult f = suite.run(TraceFamily.STEADY, 1, 300, List.of(PolicyCatalog.PLANNER));
        ResultsWriter.RunInfo info = new ResultsWriter.RunInfo(
                "./echelon simulate --overflow slo-factor=3,max-share=0.04", 1, 300, Simulator.Settings.DEFAULT,
                OfflineOptimum.Settings.DEFAULT, planning, Optional.of(given), java.util.Map.of("coder", 0.82), 1.0);
        new ResultsWriter().write(dir, info, List.of(f));

        String written = "slo-factor=3,max-share=0.04,window-s=600,tail-quantile=0.95,tail-window-s=3600";
        assertTrue(Files.readString(dir.resolve("results.md")).lines().anyMatch(l -> l.contains(
                ", planner's overflow " + written + ";")), "results.md's first line names the overflow in force");
        assertEquals(Optional.of(given), OverflowConfig.parse(written), "and --overflow reads it back as run");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(0.04, json.path("planner_overflow").path("max-share").asDouble());
        assertEquals(3.0, json.path("planner_overflow").path("slo-factor").asDouble());
        assertEquals(0.82, json.path("draft_acceptance").path("coder").asDouble(),
                "the world's α, not only in the command line");
        assertEquals("off", OverflowConfig.format(Optional.empty()));

        String settings = "min-dwell-ms=30000,max-transitions=12,transition-window-ms=60000,horizon-s=60";
        assertTrue(Files.readString(dir.resolve("results.md")).lines().anyMatch(l -> l.contains(
                ", planner's settings " + settings + ", ")), "results.md's first line names the planner's settings");
        assertEquals(planning, PlannerConfig.parse(settings), "and --planner reads them back as run");
        assertEquals(12, json.path("planner_settings").path("max-transitions").asInt());
        assertEquals(60, json.path("planner_settings").path("horizon-s").asInt());
    }

    @Test
    void eachFamilySaysWhoseReplayItsRegretIsAgainst(@TempDir Path dir) throws Exception {
        SimulationSuite suite = new SimulationSuite(SimFixtures.MODEL, Simulator.Settings.DEFAULT,
                PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT), OfflineOptimum.Settings.DEFAULT);
        SimulationSuite.FamilyResult f = suite.run(TraceFamily.STEADY, 1, 300, List.of("ttl-lru", OfflineOptimum.NAME));
        RegretAnchor anchor = f.anchor().orElseThrow();
        ResultsWriter.RunInfo info = new ResultsWriter.RunInfo("./echelon simulate", 1, 300,
                Simulator.Settings.DEFAULT, OfflineOptimum.Settings.DEFAULT, PlannerConfig.parse("defaults"),
                Optional.empty(), java.util.Map.of(), 1.0);
        new ResultsWriter().write(dir, info, List.of(f));

        assertTrue(Files.readString(dir.resolve("results.md")).contains(
                "Regret against " + anchor.policy() + "'s replay, the cheapest of this trace's"), "results.md");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals(anchor.policy(), json.path("families").path(0).path("regret_anchor").path("policy").asText());
    }
}
