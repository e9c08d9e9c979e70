package dev.echelon.supervisor;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Pre-reads GGUF files into the operating system's page cache (S3 staging): one sequential read per file on one
 * background thread, so two stagings never compete for the NVMe's bandwidth and a later llama-server start on the
 * file maps it from RAM instead of reading it from disk.
 */
final class PageCacheStager {

    private static final Logger LOG = Logger.getLogger(PageCacheStager.class);
    /** Large reads keep the device's queue full; the bytes themselves are discarded. */
    private static final int BUFFER = 8 << 20;

    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "echelon-page-cache-stager");
        t.setDaemon(true);
        return t;
    });

    CompletableFuture<Void> stage(Path file) {
        return CompletableFuture.runAsync(() -> {
            long start = System.nanoTime();
            long total = 0;
            byte[] buf = new byte[BUFFER];
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stage " + file + ": " + e.getMessage(), e);
            }
            LOG.debugf("staged %s: %d bytes in %d ms", file, total, (System.nanoTime() - start) / 1_000_000);
        }, reader);
    }
}
