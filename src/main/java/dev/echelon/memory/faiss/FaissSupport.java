package dev.echelon.memory.faiss;

import org.bytedeco.javacpp.Loader;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the FAISS library loads here, probed once per JVM, with the reason when it does not: the startup
 * announcement and health data say which index serves and why, and the caller picks {@link FaissIndex} or the exact
 * pure-Java index from {@link #status()}. Nothing else should touch {@link Faiss} before asking, because a failed
 * load poisons that class for the life of the JVM (later uses throw NoClassDefFoundError).
 *
 * <p>From a jar, JavaCPP extracts the library into its cache directory (by default ~/.javacpp/cache). Where HOME is
 * not writable the probe moves the cache under java.io.tmpdir; {@link #useCacheDir} (before the first probe) puts it
 * somewhere chosen, such as the data directory.
 */
public final class FaissSupport {

    /** The JavaCPP system property naming the directory libraries are extracted into. */
    static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";
    private static final String LIBRARY_RESOURCE = "linux-x86_64/libjniFaiss.so";

    /**
     * @param available whether {@link FaissIndex} can be built
     * @param detail    what loaded (faiss version, library path, OpenMP threads), or why nothing did
     */
    public record Status(boolean available, String detail) {
    }

    private static Status status;

    private FaissSupport() {
    }

    /** Where JavaCPP extracts the library from the jar; effective only before the first {@link #status()}. */
    public static synchronized void useCacheDir(Path dir) {
        if (status == null) {
            System.setProperty(CACHE_DIR_PROPERTY, dir.toAbsolutePath().toString());
        }
    }

    /** Probes on the first call (tens of milliseconds, plus extraction from a jar); cached afterwards. */
    public static synchronized Status status() {
        if (status == null) {
            status = probe();
        }
        return status;
    }

    /** The status, or an exception that carries the reason: for code that cannot do without FAISS. */
    public static Status require() {
        Status s = status();
        if (!s.available()) {
            throw new IllegalStateException("FAISS is unavailable: " + s.detail());
        }
        return s;
    }

    private static Status probe() {
        String cache = ensureCacheDir();
        try {
            String path = Loader.load(Faiss.class);
            int v = Faiss.faiss_version();
            return new Status(true, String.format("libfaiss %d.%d.%d (static, via JavaCPP) from %s; OpenMP max threads %d",
                    v / 10000, v / 100 % 100, v % 100, path, Faiss.omp_max_threads()));
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return new Status(false, explain(e, cache));
        } catch (RuntimeException e) {
            // JavaCPP reports an unwritable cache directory or a failed extraction this way
            return new Status(false, "the FAISS library could not be prepared (cache " + cache + "): " + e);
        }
    }

    /**
     * JavaCPP says "no jniFaiss in java.library.path" both when the library was never built and when one of its own
     * dependencies (libblas.so.3, liblapack.so.3, libgomp.so.1) is missing; loading the file directly tells which.
     */
    private static String explain(Throwable e, String cache) {
        if (Faiss.class.getResource(LIBRARY_RESOURCE) == null) {
            return "libjniFaiss.so was not built (the faiss-native Maven profile needs libfaiss-dev, libopenblas-dev "
                    + "and g++ at build time; ./echelon installs them): " + e.getMessage();
        }
        try {
            File f = Loader.cacheResource(Faiss.class, LIBRARY_RESOURCE);
            System.load(f.getAbsolutePath());
            return "libjniFaiss.so loads by path but not through JavaCPP: " + e;
        } catch (UnsatisfiedLinkError direct) {
            return "libjniFaiss.so does not load (missing runtime libraries? libopenblas0 and libgomp1 provide them): "
                    + direct.getMessage();
        } catch (IOException | RuntimeException io) {
            return "libjniFaiss.so could not be extracted to " + cache + ": " + io;
        }
    }

    /** Returns the cache directory in effect, moving it under java.io.tmpdir when the default one is unusable. */
    private static String ensureCacheDir() {
        String configured = System.getProperty(CACHE_DIR_PROPERTY);
        if (configured != null) {
            return configured;
        }
        Path home = Path.of(System.getProperty("user.home", "/nonexistent"), ".javacpp", "cache");
        if (writable(home)) {
            return home.toString();
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"), "javacpp-" + System.getProperty("user.name", "echelon"));
        System.setProperty(CACHE_DIR_PROPERTY, tmp.toString());
        return tmp.toString();
    }

    private static boolean writable(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isWritable(dir);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
