package dev.echelon.simulate;

import dev.echelon.residency.policy.OfflineOptimum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeedTableTest {

    private static final List<String> POLICIES = List.of("ttl-lru", "planner", OfflineOptimum.NAME);

    @Test
    void countsTheRunsThatMeetBothHalvesPerFamilyAndAveragesTheirGainAndRegret(@TempDir Path dir) throws Exception {
        SimulationSuite suite = new SimulationSuite(SimFixtures.MODEL, Simulator.Settings.DEFAULT,
                PolicyCatalog.standard(OfflineOptimum.Settings.DEFAULT), OfflineOptimum.Settings.DEFAULT);
        SeedTable table = new SeedTable();
        List<TargetCheck> checks = new java.util.ArrayList<>();
        for (long seed : new long[] {1, 2, 3}) {
            // 15 min of bursts per seed, and a steady trace that is no shifting family and so no row
            List<SimulationSuite.FamilyResult> run = List.of(suite.run(TraceFamily.BURSTS, seed, 900, POLICIES),
                    suite.run(TraceFamily.STEADY, seed, 300, POLICIES));
            table.add(seed, run);
            checks.add(TargetCheck.of(run.get(0)).orElseThrow());
        }

        assertEquals(3, table.rows().size(), "one row per seed and shifting family");
        SeedTable.FamilySummary s = table.summary().get(0);
        assertEquals(1, table.summary().size());
        assertEquals("bursts", s.family());
        assertEquals(3, s.runs());
        assertEquals(checks.stream().filter(c -> c.p95Met() && c.regretMet()).count(), s.met());
        assertEquals(checks.stream().mapToDouble(TargetCheck::p95Gain).average().orElseThrow(), s.meanGain(), 1e-12);
        assertEquals(checks.stream().mapToDouble(TargetCheck::plannerRegret).average().orElseThrow(),
                s.meanRegret(), 1e-12);
        assertEquals(3, s.clairvoyantRuns(), "the clairvoyant reach is measured on every shifting run");

        table.write(dir, "./echelon simulate --seeds 1,2,3");
        List<String> csv = Files.readAllLines(dir.resolve("seeds.csv"));
        assertEquals(SeedTable.CSV_HEADER, csv.get(0));
        assertEquals(4, csv.size());
        for (int i = 1; i < csv.size(); i++) {
            String[] c = csv.get(i).split(",", -1);
            assertEquals(13, c.length, csv.get(i));
            TargetCheck check = checks.get(i - 1);
            assertEquals(check.regretAnchor(), c[12], "the schedule the regret was measured against");
            assertTrue(POLICIES.contains(c[12]), csv.get(i));
            assertEquals(String.valueOf(i), c[0]);
            assertEquals(check.bestPeer(), c[2]);
            assertEquals(check.p95Met() && check.regretMet(), Boolean.parseBoolean(c[9]), csv.get(i));
        }
        String md = Files.readString(dir.resolve("seeds.md"));
        assertTrue(md.contains("| bursts | " + s.met() + " of 3 |"), md);
        assertTrue(md.contains("--seeds 1,2,3"), "the command that made it: " + md);
    }

    @Test
    void manySeedsTakeNeitherOneSeedNorTheRequestLogAndOnlyNumbers() {
        assertEquals("42,7", SimulateMain.parse(new String[] {"--seeds", "42,7"}).get("seeds"));
        assertThrows(IllegalArgumentException.class,
                () -> SimulateMain.parse(new String[] {"--seeds", "42,7", "--seed", "3"}));
        assertThrows(IllegalArgumentException.class,
                () -> SimulateMain.parse(new String[] {"--seeds", "42,7", "--requests"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimulateMain.parse(new String[] {"--seeds", "42,seven"}));
        assertTrue(e.getMessage().contains("42,seven"), e.getMessage());
    }
}
