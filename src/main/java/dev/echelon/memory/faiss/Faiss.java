package dev.echelon.memory.faiss;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * Hand-written JavaCPP binding over Debian's libfaiss (1.7.3, which ships only the static libfaiss.a, linked into
 * our own libjniFaiss.so). It maps only what {@link FaissIndex} uses; the C++ side is src/main/cpp/echelon_faiss.h.
 * Loading this class throws {@link UnsatisfiedLinkError} where the library was not built or does not load: ask
 * {@link FaissSupport} first.
 */
@Platform(
        include = {"faiss/Index.h", "echelon_faiss.h"},
        // libfaiss.a is static, so its dependencies must FOLLOW it on the g++ line (Debian's gcc links --as-needed)
        // and JavaCPP emits link[] in reverse order: this gives "-lfaiss -llapack -lblas -lgomp". The other order
        // drops libblas/liblapack from DT_NEEDED and the first batched search dies on an undefined sgemm_.
        link = {"gomp", "blas", "lapack", "faiss"})
@Namespace("faiss")
public final class Faiss {
    static {
        Loader.load();
    }

    private Faiss() {
    }

    /** A faiss::Index* (always an IndexIDMap2 that owns its sub-index); {@link #close()} deletes it. */
    public static final class Index extends Pointer {
        static {
            Loader.load();
        }

        private Index(Pointer p) {
            super(p);
        }

        @MemberGetter
        public native int d();

        /** Rows held, tombstones included. */
        @MemberGetter
        @Cast("int64_t")
        public native long ntotal();

        /** Pointers from the helpers arrive without a deallocator: this one deletes the C++ object on close. */
        Index owned() {
            if (isNull()) {
                throw new IllegalStateException("faiss returned a null index");
            }
            Index raw = new Index(this);
            deallocator(() -> delete_index(raw));
            return this;
        }
    }

    // Everything below lives in echelon_faiss.h. "::" because a bare name would resolve inside namespace faiss.

    @Namespace("::echelon_faiss")
    static native Index new_flat(int d);

    @Namespace("::echelon_faiss")
    static native Index new_hnsw(int d, int m, int efConstruction, int efSearch);

    @Namespace("::echelon_faiss")
    static native void delete_index(Index idx);

    @Namespace("::echelon_faiss")
    static native void set_ef(Index idx, int efConstruction, int efSearch);

    @Namespace("::echelon_faiss")
    @Cast("bool")
    static native boolean is_hnsw(@Const Index idx);

    @Namespace("::echelon_faiss")
    @Cast("bool")
    static native boolean contains(@Const Index idx, @Cast("int64_t") long id);

    @Namespace("::echelon_faiss")
    @Cast("int64_t")
    static native long live_count(@Const Index idx);

    @Namespace("::echelon_faiss")
    @Cast("bool")
    static native boolean remove(Index idx, @Cast("int64_t") long id);

    @Namespace("::echelon_faiss")
    static native void add(Index idx, @Cast("int64_t") long n, @Const float[] x, @Cast("const int64_t*") long[] ids,
            int threads);

    @Namespace("::echelon_faiss")
    static native void search(@Const Index idx, @Cast("int64_t") long n, @Const float[] x, @Cast("int64_t") long k,
            int threads, float[] distances, @Cast("int64_t*") long[] labels);

    @Namespace("::echelon_faiss")
    static native void scan(@Const Index idx, @Const float[] query, @Cast("int64_t") long from,
            @Cast("int64_t") long to, float[] scores, @Cast("int64_t*") long[] labels);

    /**
     * Links back every live HNSW node that no search could reach (see echelon_faiss.h); returns how many it linked.
     * Rewrites graph links: the caller holds the index's write lock or has not published the index yet.
     */
    @Namespace("::echelon_faiss")
    @Cast("int64_t")
    static native long repair_reachability(Index idx);

    /** Copies the live rows and ids (tombstones dropped) for {@link #build}; free with {@link #delete_staged}. */
    @Namespace("::echelon_faiss")
    static native Pointer stage(@Const Index src);

    @Namespace("::echelon_faiss")
    static native void delete_staged(Pointer staged);

    /** A new index from a staged copy: needs no lock on the index it was staged from. */
    @Namespace("::echelon_faiss")
    static native Index build(@Const Pointer staged, @Cast("bool") boolean hnsw, int m, int efConstruction,
            int efSearch, int threads);

    @Namespace("::echelon_faiss")
    static native Index load(String path);

    @Namespace("::echelon_faiss")
    static native void save(@Const Index idx, String path);

    @Namespace("::echelon_faiss")
    static native void set_omp_threads(int n);

    @Namespace("::echelon_faiss")
    static native int omp_max_threads();

    /** major * 10000 + minor * 100 + patch, from the headers the library was built against. */
    @Namespace("::echelon_faiss")
    static native int faiss_version();
}
