package dev.echelon.memory.faiss;

import dev.echelon.memory.VectorIndex;
import dev.echelon.memory.VectorIndexes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Vector indexes backed by FAISS: exact (flat) while small, HNSW past the threshold; snapshots in faiss's format. */
public final class FaissIndexes implements VectorIndexes {

    private static final Logger LOG = Logger.getLogger(FaissIndexes.class);

    private final FaissSettings settings;
    private final String detail;

    public FaissIndexes(FaissSettings settings, String detail) {
        this.settings = settings;
        this.detail = detail;
    }

    @Override
    public VectorIndex create(int dims) {
        return new FaissIndex(dims, settings);
    }

    @Override
    public Optional<VectorIndex> load(Path file, int dims, long version) {
        return FaissIndex.load(file, dims, version, settings).map(i -> i);
    }

    @Override
    public boolean save(VectorIndex index, Path file, long version) {
        if (!(index instanceof FaissIndex faiss)) {
            return false;
        }
        try {
            faiss.save(file, version);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("memory index: snapshot to %s failed (%s); the store stays the truth", file, e.toString());
            return false;
        }
    }

    @Override
    public String backend() {
        return "faiss";
    }

    @Override
    public Optional<String> fallbackReason() {
        return Optional.empty();
    }

    /** What loaded: faiss version, library, OpenMP threads. */
    public String detail() {
        return detail;
    }
}
