package dev.echelon.fake;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mock mode's stand-in for the operating system's page cache: the set of model files whose bytes are in host RAM.
 * A fake server started on a staged file (and, if it drafts, a staged draft file) loads without reading NVMe, as a
 * real llama-server does on a file another process or a pre-read left in the page cache. Files enter it when staged
 * (a pre-read) and when a server that had them open exits cleanly; they leave it when the residency controller
 * sends the role to NVMe only. Nothing else is modelled: no capacity, no LRU reclaim.
 */
public final class FakePageCache {

    private final Set<Path> staged = ConcurrentHashMap.newKeySet();

    public void add(Path file) {
        staged.add(key(file));
    }

    public void remove(Path file) {
        staged.remove(key(file));
    }

    public boolean contains(Path file) {
        return staged.contains(key(file));
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }
}
