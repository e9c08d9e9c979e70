// The C++ side of Echelon's FAISS binding (dev.echelon.memory.faiss.Faiss). Everything the Java side needs that is
// awkward to map member by member lives here: building an IndexIDMap2 that owns its sub-index, reaching the HNSW
// graph or the flat storage behind the id map, efSearch, tombstones, rebuilds and the OpenMP thread count.
//
// Every index is an IndexIDMap2 with own_fields = true, so deleting the outer index frees everything and an index
// read back from disk (where faiss sets own_fields) has the same shape as a fresh one.
//
// Tombstones: IndexHNSW has no remove_ids, so a removed vector stays in the graph and its slot in id_map is
// overwritten with a negative label (-2 - position). Searches report that label, the Java side drops it, and the
// tombstones travel with write_index because id_map is serialised. rev_map forgets the id, so the same id can be
// added again (a replacement) without colliding with its old vector.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>
#include <omp.h>
#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/FaissAssert.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>

namespace echelon_faiss {

inline faiss::IndexIDMap2* as_map(faiss::Index* idx) {
    auto* m = dynamic_cast<faiss::IndexIDMap2*>(idx);
    FAISS_THROW_IF_NOT_MSG(m, "not an Echelon index (expected IndexIDMap2)");
    return m;
}

inline const faiss::IndexIDMap2* as_map(const faiss::Index* idx) {
    return as_map(const_cast<faiss::Index*>(idx));
}

inline faiss::IndexHNSW* hnsw_of(const faiss::Index* idx) {
    return dynamic_cast<faiss::IndexHNSW*>(as_map(idx)->index);
}

// The contiguous float rows behind either kind: the flat index itself, or the HNSW index's storage.
inline const float* rows_of(const faiss::Index* idx) {
    faiss::Index* sub = as_map(idx)->index;
    if (auto* h = dynamic_cast<faiss::IndexHNSW*>(sub)) sub = h->storage;
    auto* flat = dynamic_cast<faiss::IndexFlat*>(sub);
    FAISS_THROW_IF_NOT_MSG(flat, "index has no flat storage");
    return flat->get_xb();
}

inline faiss::Index* new_flat(int d) {
    auto* m = new faiss::IndexIDMap2(new faiss::IndexFlatIP(d));
    m->own_fields = true;
    return m;
}

inline faiss::Index* new_hnsw(int d, int m, int ef_construction, int ef_search) {
    auto* h = new faiss::IndexHNSWFlat(d, m, faiss::METRIC_INNER_PRODUCT);
    h->hnsw.efConstruction = ef_construction;
    h->hnsw.efSearch = ef_search;
    auto* map = new faiss::IndexIDMap2(h);
    map->own_fields = true;
    return map;
}

inline void delete_index(faiss::Index* p) { delete p; }

// Both are stored in a snapshot; the settings of the process that loads it win. faiss 1.7.3 ignores
// SearchParametersHNSW::efSearch (measured: recall does not move with it), so efSearch is index state, changed only
// under the Java side's write lock; HNSW::search itself widens it to k when a search fetches more than efSearch.
inline void set_ef(faiss::Index* idx, int ef_construction, int ef_search) {
    if (faiss::IndexHNSW* h = hnsw_of(idx)) {
        h->hnsw.efConstruction = ef_construction;
        h->hnsw.efSearch = ef_search;
    }
}

inline bool is_hnsw(const faiss::Index* idx) { return hnsw_of(idx) != nullptr; }

inline bool contains(const faiss::Index* idx, int64_t id) {
    const auto* m = as_map(idx);
    return id >= 0 && m->rev_map.count(id) > 0;
}

// Ids that are live (not tombstones); O(n), used once after loading a snapshot.
inline int64_t live_count(const faiss::Index* idx) {
    const auto& ids = as_map(idx)->id_map;
    return std::count_if(ids.begin(), ids.end(), [](int64_t v) { return v >= 0; });
}

// Flat: a real removal. HNSW: a tombstone (see the top of this file). False when the id is not present.
inline bool remove(faiss::Index* idx, int64_t id) {
    auto* m = as_map(idx);
    auto it = m->rev_map.find(id);
    if (id < 0 || it == m->rev_map.end()) return false;
    if (hnsw_of(idx) == nullptr) {
        faiss::IDSelectorBatch sel(1, &id);
        return m->remove_ids(sel) == 1;
    }
    int64_t pos = it->second;
    m->id_map[pos] = -2 - pos;
    m->rev_map.erase(it);
    return true;
}

inline void add(faiss::Index* idx, int64_t n, const float* x, const int64_t* ids, int threads) {
    omp_set_num_threads(threads);
    idx->add_with_ids(n, x, ids);
}

// Labels come back as store ids (IndexIDMap2 translates them), -1 for "no result" and <= -2 for tombstones.
inline void search(const faiss::Index* idx, int64_t n, const float* x, int64_t k, int threads,
                   float* distances, int64_t* labels) {
    omp_set_num_threads(threads);
    idx->search(n, x, k, distances, labels);
}

// Exact scores of one query against rows [from, to), with each row's label (a tombstone's is negative): the
// exhaustive fallback when over-fetching through the graph would not find k accepted hits.
inline void scan(const faiss::Index* idx, const float* q, int64_t from, int64_t to, float* scores, int64_t* labels) {
    const float* rows = rows_of(idx);
    const auto& ids = as_map(idx)->id_map;
    const int64_t d = idx->d;
    for (int64_t i = from; i < to; i++) {
        scores[i - from] = faiss::fvec_inner_product(q, rows + i * d, d);
        labels[i - from] = ids[i];
    }
}

// HNSW can leave a node with no path to it: when a neighbour's full list is pruned (shrink_neighbor_list), the link
// to a node can be dropped from every list that held it, and no search reaches that node, whatever its efSearch.
// Measured on 600 hashing-embedder notes (MemoryCrashTest's data): a one-thread build orphans one node every time,
// two-thread builds 8 nodes over 100 builds: memories stored and acknowledged, then never recalled. None in one build
// each of 25k and 100k clustered vectors (bench/memory's shape), where this is insurance.
// This walks level 0 from the entry point and links every live node it did not reach from its closest reached
// neighbour: into a free slot, or else in place of the link whose target has the most in-links (two at least, so
// that target keeps one). Returns how many nodes it linked. O(rows * 2M) per round: one round links, the next finds
// nothing left; at most four run.
inline int64_t repair_reachability(faiss::Index* idx) {
    faiss::IndexHNSW* h = hnsw_of(idx);
    if (h == nullptr || h->ntotal < 2) return 0;
    faiss::HNSW& g = h->hnsw;
    const auto& ids = as_map(idx)->id_map;
    const int64_t n = h->ntotal;
    const int64_t d = h->d;
    const float* rows = rows_of(idx);
    int64_t linked = 0;
    for (int round = 0; round < 4; round++) {
        std::vector<char> reached(n, 0);
        std::vector<int> in_degree(n, 0);
        for (int64_t u = 0; u < n; u++) {
            size_t b, e;
            g.neighbor_range(u, 0, &b, &e);
            for (size_t j = b; j < e && g.neighbors[j] >= 0; j++) in_degree[g.neighbors[j]]++;
        }
        // marks everything reachable from start (breadth first over level 0)
        auto spread = [&](int64_t start) {
            std::vector<int64_t> queue{start};
            reached[start] = 1;
            for (size_t q = 0; q < queue.size(); q++) {
                size_t b, e;
                g.neighbor_range(queue[q], 0, &b, &e);
                for (size_t j = b; j < e && g.neighbors[j] >= 0; j++) {
                    if (!reached[g.neighbors[j]]) {
                        reached[g.neighbors[j]] = 1;
                        queue.push_back(g.neighbors[j]);
                    }
                }
            }
        };
        spread(g.entry_point);
        int64_t missing = 0;
        for (int64_t u = 0; u < n; u++) {
            if (reached[u] || ids[u] < 0) continue;  // a tombstone need not be found
            missing++;
            // the reached node closest to u: among u's own links first (they are its near neighbours), else all
            int64_t best = -1;
            float best_score = 0;
            auto consider = [&](int64_t v) {
                if (!reached[v]) return;
                float s = faiss::fvec_inner_product(rows + u * d, rows + v * d, d);
                if (best < 0 || s > best_score) {
                    best = v;
                    best_score = s;
                }
            };
            size_t b, e;
            g.neighbor_range(u, 0, &b, &e);
            for (size_t j = b; j < e && g.neighbors[j] >= 0; j++) consider(g.neighbors[j]);
            if (best < 0) {
                for (int64_t v = 0; v < n; v++) consider(v);
            }
            size_t vb, ve;
            g.neighbor_range(best, 0, &vb, &ve);
            size_t slot = ve;
            for (size_t j = vb; j < ve; j++) {
                if (g.neighbors[j] < 0) {
                    slot = j;
                    break;
                }
                int w = g.neighbors[j];
                if (in_degree[w] >= 2 && (slot == ve || in_degree[w] > in_degree[g.neighbors[slot]])) slot = j;
            }
            if (slot == ve) continue;  // every link of best is some node's last: try again next round
            if (g.neighbors[slot] >= 0) in_degree[g.neighbors[slot]]--;
            g.neighbors[slot] = static_cast<faiss::HNSW::storage_idx_t>(u);
            in_degree[u]++;
            linked++;
            spread(u);  // what u links to is reachable now too
        }
        if (missing == 0) break;
    }
    return linked;
}

// Rebuilding is split so that only the copy needs the Java side's lock: stage() copies the live rows and ids of src
// (tombstones dropped) while writes are excluded; build() then makes the new index from that copy on another
// thread while src keeps serving. The staging area is opaque to Java (void*).
struct Staged {
    int d;
    std::vector<float> x;
    std::vector<int64_t> ids;
};

inline void* stage(const faiss::Index* src) {
    const float* rows = rows_of(src);
    const auto& ids = as_map(src)->id_map;
    const int64_t d = src->d;
    auto* s = new Staged{static_cast<int>(d), {}, {}};
    s->x.reserve(static_cast<size_t>(src->ntotal * d));
    s->ids.reserve(static_cast<size_t>(src->ntotal));
    for (int64_t i = 0; i < src->ntotal; i++) {
        if (ids[i] < 0) continue;
        s->x.insert(s->x.end(), rows + i * d, rows + (i + 1) * d);
        s->ids.push_back(ids[i]);
    }
    return s;
}

inline void delete_staged(void* staged) { delete static_cast<Staged*>(staged); }

inline faiss::Index* build(const void* staged, bool hnsw, int m, int ef_construction, int ef_search, int threads) {
    const auto* s = static_cast<const Staged*>(staged);
    faiss::Index* out = hnsw ? new_hnsw(s->d, m, ef_construction, ef_search) : new_flat(s->d);
    try {
        add(out, static_cast<int64_t>(s->ids.size()), s->x.data(), s->ids.data(), threads);
    } catch (...) {
        delete out;
        throw;
    }
    return out;
}

// faiss reads only what it wrote, so the Java side's trailer after the index data is ignored here.
inline faiss::Index* load(const char* path) {
    faiss::Index* idx = faiss::read_index(path);
    if (dynamic_cast<faiss::IndexIDMap2*>(idx) == nullptr) {
        delete idx;
        FAISS_THROW_MSG("snapshot does not hold an IndexIDMap2");
    }
    return idx;
}

inline void save(const faiss::Index* idx, const char* path) { faiss::write_index(idx, path); }

inline void set_omp_threads(int n) { omp_set_num_threads(n); }
inline int omp_max_threads() { return omp_get_max_threads(); }
inline int faiss_version() {
    return FAISS_VERSION_MAJOR * 10000 + FAISS_VERSION_MINOR * 100 + FAISS_VERSION_PATCH;
}

}  // namespace echelon_faiss
