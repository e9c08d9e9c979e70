package dev.echelon.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** The k best-scoring hits of a scan: a min-heap of k, so a scan costs O(n log k) and keeps k objects. */
public final class TopK {

    private final int k;
    private final PriorityQueue<VectorIndex.Hit> heap;

    public TopK(int k) {
        this.k = k;
        this.heap = new PriorityQueue<>((a, b) -> Float.compare(a.score(), b.score()));
    }

    /** Whether a hit scoring {@code score} would be kept: test it before the (costlier) id filter. */
    public boolean admits(float score) {
        return heap.size() < k || score > heap.peek().score();
    }

    public void offer(long id, float score) {
        if (!admits(score)) {
            return;
        }
        if (heap.size() == k) {
            heap.poll();
        }
        heap.add(new VectorIndex.Hit(id, score));
    }

    /** The kept hits, best first. */
    public List<VectorIndex.Hit> best() {
        List<VectorIndex.Hit> out = new ArrayList<>(heap);
        out.sort((a, b) -> Float.compare(b.score(), a.score()));
        return out;
    }
}
