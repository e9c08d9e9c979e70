package dev.echelon.supervisor;

import dev.echelon.cost.Calibration;
import dev.echelon.cost.CostModel;
import dev.echelon.fake.FakeModel;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Mock mode's page cache: a fake server whose file was staged, or left behind by a server that exited cleanly, loads
 * without the NVMe read; one whose file was unstaged (its role went to NVMe only), or never read, loads cold.
 */
class FakeLauncherPageCacheTest {

    static final double SCALE = 0.001;
    static final CostModel COST = new CostModel();
    static Vertx vertx;

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() {
        vertx.close();
    }

    private static final FakeModelCatalog CATALOG = path -> path.endsWith("tiny.gguf")
            ? Optional.of(new FakeModel(FakeServerProcessMain.MODEL, FakeServerProcessMain.MODEL.referenceVariant()))
            : Optional.empty();

    private static double load(boolean fromNvme) {
        return COST.loadSeconds(Calibration.of(FakeServerProcessMain.MODEL),
                FakeServerProcessMain.MODEL.referenceVariant().bytes(), 1.0, fromNvme, true) * SCALE;
    }

    private static FakeLauncher.FakeHandle launch(FakeLauncher launcher) {
        return (FakeLauncher.FakeHandle) launcher.launch(new LaunchCommand("tiny-0", List.of("-m", "models/tiny.gguf",
                "--port", "0", "-ngl", "all"), "127.0.0.1", 0, Path.of("target/tiny-0.log")));
    }

    @Test
    void aStagedFileLoadsWithoutTheNvmeReadUntilItIsUnstaged() throws Exception {
        FakeLauncher launcher = new FakeLauncher(vertx, CATALOG, FakeOptions.DEFAULT.withTimeScale(SCALE));
        FakeLauncher.FakeHandle cold = launch(launcher);
        assertEquals(load(true), cold.server().loadSeconds(), 1e-12);
        cold.kill(); // a crash leaves nothing behind in this model

        launcher.stage(Path.of("models/tiny.gguf")).get(5, TimeUnit.SECONDS);
        FakeLauncher.FakeHandle warm = launch(launcher);
        assertEquals(load(false), warm.server().loadSeconds(), 1e-12);
        warm.kill();

        launcher.unstage(Path.of("models/tiny.gguf"));
        FakeLauncher.FakeHandle coldAgain = launch(launcher);
        assertEquals(load(true), coldAgain.server().loadSeconds(), 1e-12);
        coldAgain.kill();
    }

    @Test
    void aServerThatExitedCleanlyLeavesItsFileInThePageCache() throws Exception {
        FakeLauncher launcher = new FakeLauncher(vertx, CATALOG, FakeOptions.DEFAULT.withTimeScale(SCALE));
        FakeLauncher.FakeHandle first = launch(launcher);
        first.terminate();
        first.exit().get(5, TimeUnit.SECONDS);

        FakeLauncher.FakeHandle second = launch(launcher);
        assertEquals(load(false), second.server().loadSeconds(), 1e-12);
        second.kill();
    }

    @Test
    void stagingAFileTheCatalogDoesNotKnowFails() {
        FakeLauncher launcher = new FakeLauncher(vertx, CATALOG, FakeOptions.DEFAULT.withTimeScale(SCALE));
        var failed = launcher.stage(Path.of("models/absent.gguf"));
        assertThrows(Exception.class, () -> failed.get(5, TimeUnit.SECONDS));
    }
}
