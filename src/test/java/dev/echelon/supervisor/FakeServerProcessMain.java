package dev.echelon.supervisor;

import dev.echelon.fake.FakeLlamaServer;
import dev.echelon.fake.FakeModel;
import dev.echelon.fake.FakeModelCatalog;
import dev.echelon.fake.FakeOptions;
import dev.echelon.registry.MockProfile;
import dev.echelon.registry.ModelSpec;
import dev.echelon.registry.VariantSpec;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in llama-server binary for supervisor tests: a separate OS process that takes llama-server's flags and
 * speaks its HTTP API (the fake server), so the supervisor is tested against a real child process — start, signals,
 * exit codes, orphans — without llama.cpp. Any {@code -m} file is a 300 MB model that takes about a second to load.
 */
public final class FakeServerProcessMain {

    static final ModelSpec MODEL = new ModelSpec("tiny", "qwen2.5",
            List.of(new VariantSpec("q8_0", "tiny.gguf", "Q8_0", 300_000_000L, 24, 12_288, 32_768)),
            new MockProfile(0.5, 5_000, 200, 400, 40, 600e6, 2e9, 300));

    public static void main(String[] args) throws Exception {
        FakeModelCatalog catalog = path -> Optional.of(new FakeModel(MODEL, MODEL.referenceVariant()));
        Vertx vertx = Vertx.vertx();
        FakeLlamaServer server = FakeLlamaServer.start(vertx, List.of(args), catalog, FakeOptions.DEFAULT);
        System.out.println("fake llama-server listening on " + server.baseUrl());
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("fake llama-server: SIGTERM, shutting down");
            server.close();
            vertx.close();
            done.countDown();
        }));
        done.await();
    }
}
