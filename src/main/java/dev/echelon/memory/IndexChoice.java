package dev.echelon.memory;

import dev.echelon.memory.faiss.FaissIndexes;
import dev.echelon.memory.faiss.FaissSettings;
import dev.echelon.memory.faiss.FaissSupport;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/**
 * Picks the vector indexes for this process once, at startup: FAISS when its native library loads (built from
 * Debian's libfaiss-dev by the faiss-native Maven profile), otherwise the pure-Java exact index — said in the log
 * and in the health data, never silently.
 */
public final class IndexChoice {

    private static final Logger LOG = Logger.getLogger(IndexChoice.class);

    private IndexChoice() {
    }

    /**
     * @param nativeCache where JavaCPP may extract the native library from the jar (null: its default, or a temporary
     *                    directory where HOME is not writable)
     */
    public static VectorIndexes choose(boolean faissWanted, int hnswThreshold, Path nativeCache) {
        if (!faissWanted) {
            return VectorIndexes.javaExact("turned off (ORCHESTRATOR_MEMORY_FAISS=false)");
        }
        if (nativeCache != null) {
            FaissSupport.useCacheDir(nativeCache);
        }
        FaissSupport.Status status = FaissSupport.status();
        if (!status.available()) {
            LOG.warnf("vector search: FAISS is unavailable (%s); using the pure-Java exact index. Install "
                    + "libfaiss-dev, libopenblas-dev and g++ and rebuild (./echelon does both) for FAISS.",
                    status.detail());
            return VectorIndexes.javaExact("the FAISS library did not load: " + status.detail());
        }
        LOG.infof("vector search: FAISS (%s), HNSW from %d vectors", status.detail(), hnswThreshold);
        return new FaissIndexes(FaissSettings.defaults().withHnswThreshold(hnswThreshold), status.detail());
    }

    static VectorIndexes choose(boolean faissWanted, int hnswThreshold) {
        return choose(faissWanted, hnswThreshold, null);
    }
}
