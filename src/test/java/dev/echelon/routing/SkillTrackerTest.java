package dev.echelon.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkillTrackerTest {

    static final SkillTracker.Prior PRIOR = (category, role) -> role.equals("big") ? 0.9 : 0.6;
    static final SkillTracker.Config NO_FORGETTING = new SkillTracker.Config(1.0, Duration.ZERO, 4.0, 0.0, 1.645, 1);

    @TempDir
    Path dir;

    @Test
    void startsAtThePriorAndOutcomesMoveTheMean() {
        SkillTracker t = new SkillTracker(NO_FORGETTING, PRIOR);
        assertEquals(0.6, t.mean("code", "small"), 1e-12);
        assertEquals(0.9, t.mean("code", "big"), 1e-12);
        t.record("code", "small", true, 1);
        double afterSuccess = t.mean("code", "small");
        assertTrue(afterSuccess > 0.6);
        assertEquals((4 * 0.6 + 1) / 5, afterSuccess, 1e-12);
        for (int i = 0; i < 10; i++) {
            t.record("code", "small", false, 1);
        }
        assertEquals((4 * 0.6 + 1) / 15, t.mean("code", "small"), 1e-12);
        assertEquals(0.6, t.mean("math", "small"), 1e-12, "other categories untouched");
        assertTrue(t.lowerBound("code", "small") < t.mean("code", "small"));
        assertTrue(t.variance("code", "small") < t.variance("math", "small"), "more data, less variance");
        SkillTracker.Evidence e = t.evidence("code", "small");
        assertEquals(1, e.successes(), 1e-12);
        assertEquals(10, e.failures(), 1e-12);
        assertEquals(11, e.updates());
        t.record("code", "small", true, 0.5);
        assertEquals(1.5, t.evidence("code", "small").successes(), 1e-12, "weights count");
        assertThrows(IllegalArgumentException.class, () -> t.record("code", "small", true, -1));
        assertThrows(IllegalArgumentException.class, () -> t.record("code", "small", true, Double.NaN));
    }

    @Test
    void perUpdateDecayBoundsEvidenceAndLetsNewOutcomesWin() {
        SkillTracker t = new SkillTracker(NO_FORGETTING.withDecayPerUpdate(0.9), PRIOR);
        for (int i = 0; i < 200; i++) {
            t.record("math", "small", false, 1);
        }
        SkillTracker.Evidence e = t.evidence("math", "small");
        assertTrue(e.failures() <= 10 + 1e-9, "saturates at 1/(1−λ): " + e.failures());
        for (int i = 0; i < 30; i++) {
            t.record("math", "small", true, 1);
        }
        assertTrue(t.mean("math", "small") > 0.85, "recent successes dominate: " + t.mean("math", "small"));

        SkillTracker keep = new SkillTracker(NO_FORGETTING, PRIOR);
        for (int i = 0; i < 200; i++) {
            keep.record("math", "small", false, 1);
        }
        for (int i = 0; i < 30; i++) {
            keep.record("math", "small", true, 1);
        }
        assertTrue(keep.mean("math", "small") < 0.2, "without decay the old failures still weigh");
    }

    @Test
    void timeHalfLifePullsTowardsThePrior() {
        AtomicLong now = new AtomicLong(1_700_000_000_000L);
        SkillTracker t = new SkillTracker(NO_FORGETTING.withHalfLife(Duration.ofHours(1)), PRIOR, now::get);
        for (int i = 0; i < 10; i++) {
            t.record("chat", "small", false, 1);
        }
        assertEquals(10, t.evidence("chat", "small").failures(), 1e-9);
        now.addAndGet(Duration.ofHours(1).toMillis());
        assertEquals(5, t.evidence("chat", "small").failures(), 1e-9);
        now.addAndGet(Duration.ofHours(9).toMillis());
        assertEquals(0.6, t.mean("chat", "small"), 0.01, "after ten half-lives it is almost the prior again");
        t.record("chat", "small", true, 1);
        SkillTracker.Evidence e = t.evidence("chat", "small");
        assertEquals(10 / 1024.0, e.failures(), 1e-9);
        assertEquals(1, e.successes(), 1e-9);
    }

    @Test
    void explorationNeverExceedsTheConfiguredFraction() {
        double eps = 0.05;
        SkillTracker t = new SkillTracker(NO_FORGETTING.withExplorationRate(eps), (c, r) -> 0.5);
        List<String> roles = List.of("a", "b", "c");
        int explored = 0;
        for (int i = 1; i <= 10_000; i++) {
            Optional<String> x = t.explore("reasoning", roles, "a", 0.8);
            if (x.isPresent()) {
                explored++;
                assertTrue(roles.contains(x.get()) && !x.get().equals("a"));
            }
            assertTrue(explored <= eps * i, "after " + i + " decisions " + explored + " explorations");
        }
        SkillTracker.ExplorationStats s = t.explorationStats();
        assertEquals(10_000, s.decisions());
        assertEquals(explored, s.explorations());
        assertTrue(s.fraction() <= eps);
        assertTrue(explored > 100, "it does explore: " + explored);

        SkillTracker off = new SkillTracker(NO_FORGETTING, (c, r) -> 0.5);
        for (int i = 0; i < 1000; i++) {
            assertTrue(off.explore("reasoning", roles, "a", 0.8).isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> NO_FORGETTING.withExplorationRate(0.2));
    }

    @Test
    void explorationPrefersCheapCandidatesWhoseDrawMeetsTheTarget() {
        SkillTracker t = new SkillTracker(NO_FORGETTING.withExplorationRate(0.05), (c, r) -> 0.5);
        for (int i = 0; i < 50; i++) {
            t.record("code", "cheap", true, 1);
            t.record("code", "mid", false, 1);
        }
        int cheap = 0;
        int mid = 0;
        for (int i = 0; i < 20_000; i++) {
            Optional<String> x = t.explore("code", List.of("cheap", "mid", "dear"), "dear", 0.8);
            if (x.isPresent()) {
                if (x.get().equals("cheap")) {
                    cheap++;
                } else {
                    mid++;
                }
            }
        }
        assertTrue(cheap > 10 * Math.max(1, mid), "cheap " + cheap + ", mid " + mid);
    }

    @Test
    void saveAndLoadRoundTrip() throws Exception {
        // one fixed instant for both trackers: DEFAULTS decay with wall-clock time, and two reads a few ms apart
        // differ beyond the comparison's tolerance
        long instant = 1_795_000_000_000L;
        SkillTracker t = new SkillTracker(SkillTracker.Config.DEFAULTS, PRIOR, () -> instant);
        t.record("code", "small", false, 1);
        t.record("code", "small", true, 0.25);
        t.record("long_context", "big", true, 1);
        t.explore("code", List.of("small", "big"), "small", 0.8);
        Path file = dir.resolve("state/skills.json");
        t.save(file);
        assertTrue(Files.exists(file));
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(List.of(file), s.toList(), "no temporary files left behind");
        }

        SkillTracker u = new SkillTracker(SkillTracker.Config.DEFAULTS, PRIOR, () -> instant);
        SkillTracker.LoadResult r = u.load(file);
        assertEquals(SkillTracker.LoadStatus.LOADED, r.status(), r.message());
        assertEquals(2, r.cells());
        assertEquals(t.snapshot().keySet(), u.snapshot().keySet());
        for (String[] cell : new String[][] {{"code", "small"}, {"long-context", "big"}, {"math", "small"}}) {
            SkillTracker.Evidence a = t.evidence(cell[0], cell[1]);
            SkillTracker.Evidence b = u.evidence(cell[0], cell[1]);
            assertEquals(a.successes(), b.successes(), 1e-9);
            assertEquals(a.failures(), b.failures(), 1e-9);
            assertEquals(a.updates(), b.updates());
            assertEquals(t.mean(cell[0], cell[1]), u.mean(cell[0], cell[1]), 1e-9);
        }
        assertEquals(t.explorationStats(), u.explorationStats());

        t.record("code", "small", false, 1);
        t.save(file); // overwrite in place
        assertEquals(SkillTracker.LoadStatus.LOADED, u.load(file).status());
        assertEquals(t.evidence("code", "small").failures(), u.evidence("code", "small").failures(), 1e-9);
    }

    @Test
    void aCorruptFileIsReportedMovedAsideAndReplacedByPriors() throws Exception {
        List<String> corrupt = new ArrayList<>(List.of(
                "{ this is not json",
                "",
                "[]",
                "{\"format\": \"something-else\", \"version\": 1, \"cells\": []}",
                "{\"format\": \"echelon-skill-tracker\", \"version\": 99, \"decisions\": 0, \"explorations\": 0, \"cells\": []}",
                "{\"format\": \"echelon-skill-tracker\", \"version\": 1, \"decisions\": 0, \"explorations\": 0, "
                        + "\"cells\": [{\"category\": \"code\", \"role\": \"small\", \"successes\": -3, \"failures\": 0, "
                        + "\"updates\": 1, \"lastMillis\": 0}]}",
                "{\"format\": \"echelon-skill-tracker\", \"version\": 1, \"decisions\": 0, \"explorations\": 0, "
                        + "\"cells\": [{\"category\": \"code\", \"successes\": 1, \"failures\": 0, \"updates\": 1, "
                        + "\"lastMillis\": 0}]}"));
        for (String content : corrupt) {
            Path file = dir.resolve("skills.json");
            Files.writeString(file, content, StandardCharsets.UTF_8);
            SkillTracker t = new SkillTracker(NO_FORGETTING, PRIOR);
            for (int i = 0; i < 5; i++) {
                t.record("code", "small", false, 1);
            }
            SkillTracker.LoadResult r = t.load(file);
            assertEquals(SkillTracker.LoadStatus.CORRUPT, r.status(), content);
            assertTrue(r.message().contains("corrupt"), r.message());
            assertEquals(0.6, t.mean("code", "small"), 1e-12, "back to priors");
            assertTrue(t.snapshot().isEmpty());
            assertFalse(Files.exists(file), "moved aside");
            assertEquals(content, Files.readString(dir.resolve("skills.json.corrupt")));
            t.record("code", "small", true, 1);
            t.save(file);
            assertEquals(SkillTracker.LoadStatus.LOADED, new SkillTracker(NO_FORGETTING, PRIOR).load(file).status());
            Files.delete(file);
        }
    }

    @Test
    void aMissingFileMeansPriors() {
        SkillTracker t = new SkillTracker(NO_FORGETTING, PRIOR);
        t.record("code", "small", false, 1);
        SkillTracker.LoadResult r = t.load(dir.resolve("nothing-here.json"));
        assertEquals(SkillTracker.LoadStatus.MISSING, r.status());
        assertEquals(0.6, t.mean("code", "small"), 1e-12);
    }

    @Test
    void concurrentRecordsAreNotLost() throws Exception {
        SkillTracker t = new SkillTracker(NO_FORGETTING, PRIOR);
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            int id = k;
            Thread th = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    t.record("code", "small", (i + id) % 2 == 0, 1);
                    t.mean("code", "small");
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        SkillTracker.Evidence e = t.evidence("code", "small");
        assertEquals(8000, e.updates());
        assertEquals(8000, e.successes() + e.failures(), 1e-6);
    }

    @Test
    void configIsValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> new SkillTracker.Config(0, Duration.ZERO, 4, 0.01, 1.645, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new SkillTracker.Config(0.9, Duration.ofSeconds(-1), 4, 0.01, 1.645, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new SkillTracker.Config(0.9, Duration.ZERO, 0, 0.01, 1.645, 1));
    }
}
