package dev.echelon.residency.plan;

import java.util.Arrays;

/**
 * Exact two-resource multiple-choice knapsack: pick exactly one option per group so that the summed weights stay
 * within both capacities and the summed cost is least.
 *
 * <p>Dynamic programme over groups on the (resource 1 × resource 2) grid. After each group the table holds, for every
 * grid point (a, b), the least cost of any partial choice using at most a and at most b; only its <em>frontier</em>
 * — points strictly cheaper than both neighbours with less of one resource — is extended by the next group, because
 * any completion of a dominated point is matched at no greater cost by the point dominating it. The answer is
 * therefore exact for the integer weights it is given, and the work per group is the grid size (fill, prefix
 * minimum, only over the box of usages reachable so far) plus frontier × options, which for placement problems is a
 * small fraction of grid × options. Options that another option of the same group dominates (no more of either
 * resource, no more cost) are dropped first, for the same reason.
 *
 * <p>Not thread-safe: buffers are reused between solves so that a tick allocates little.
 */
public final class MultipleChoiceKnapsack {

    /** The chosen option index per group and the least total cost. */
    public record Solution(int[] choice, double cost) {
    }

    private double[] reach = new double[0];
    private double[] extended = new double[0];
    private int[] frontier = new int[0];
    private int[][] prevCell = new int[0][];
    private short[][] option = new short[0][];

    /**
     * @param w1   per group, per option: units of resource 1 (≥ 0)
     * @param w2   per group, per option: units of resource 2 (≥ 0)
     * @param cost per group, per option: cost (finite to be eligible; +∞ marks an option that may not be chosen)
     * @return the optimum, or null when no choice fits (or a group has no eligible option)
     */
    public Solution solve(int[][] w1, int[][] w2, double[][] cost, int cap1, int cap2) {
        int groups = cost.length;
        if (w1.length != groups || w2.length != groups || cap1 < 0 || cap2 < 0) {
            throw new IllegalArgumentException("malformed knapsack: " + groups + " groups, capacities " + cap1
                    + " x " + cap2);
        }
        if (groups == 0) {
            return new Solution(new int[0], 0);
        }
        int width = cap2 + 1;
        int cells = (cap1 + 1) * width;
        ensureCapacity(groups, cells);
        reach[0] = 0.0;
        int frontierSize = 1;
        frontier[0] = 0;
        // the box [0, boxA] × [0, boxB] holds every usage reachable so far: early groups touch a corner of the grid
        int boxA = 0;
        int boxB = 0;

        for (int g = 0; g < groups; g++) {
            int[] keep = undominated(w1[g], w2[g], cost[g]);
            if (keep.length == 0) {
                return null;
            }
            int maxA = 0;
            int maxB = 0;
            for (int o : keep) {
                maxA = Math.max(maxA, w1[g][o]);
                maxB = Math.max(maxB, w2[g][o]);
            }
            boxA = (int) Math.min(cap1, (long) boxA + maxA);
            boxB = (int) Math.min(cap2, (long) boxB + maxB);
            for (int a = 0; a <= boxA; a++) {
                Arrays.fill(extended, a * width, a * width + boxB + 1, Double.POSITIVE_INFINITY);
            }
            int[] prev = prevCell[g];
            short[] opt = option[g];
            for (int f = 0; f < frontierSize; f++) {
                int cell = frontier[f];
                int a = cell / width;
                int b = cell - a * width;
                double base = reach[cell];
                for (int o : keep) {
                    int na = a + w1[g][o];
                    int nb = b + w2[g][o];
                    if (na > cap1 || nb > cap2) {
                        continue;
                    }
                    int n = na * width + nb;
                    double c = base + cost[g][o];
                    if (c < extended[n]) {
                        extended[n] = c;
                        prev[n] = cell;
                        opt[n] = (short) o;
                    }
                }
            }
            if (g < groups - 1) {
                frontierSize = prefixMinimum(boxA, boxB, width);
            }
        }
        // the optimum is the cheapest exact usage the last group reached
        int best = -1;
        double total = Double.POSITIVE_INFINITY;
        for (int a = 0; a <= boxA; a++) {
            for (int n = a * width, end = n + boxB; n <= end; n++) {
                if (extended[n] < total) {
                    total = extended[n];
                    best = n;
                }
            }
        }
        if (best < 0) {
            return null;
        }
        int[] choice = new int[groups];
        int cell = best;
        for (int g = groups - 1; g >= 0; g--) {
            choice[g] = option[g][cell];
            cell = prevCell[g][cell];
        }
        return new Solution(choice, total);
    }

    /**
     * Turns {@code extended} (least cost at exactly (a, b)) into {@code reach} (least cost at most (a, b)) and collects
     * the frontier: the cells whose exact cost is strictly below both neighbours' at-most cost. Returns its size.
     * The hot loop of a tick: one pass, no allocation.
     */
    private int prefixMinimum(int boxA, int boxB, int width) {
        double[] r = reach;
        double[] e = extended;
        int[] f = frontier;
        int size = 0;
        // row 0: only the left neighbour
        double left = Double.POSITIVE_INFINITY;
        for (int n = 0; n <= boxB; n++) {
            double x = e[n];
            if (x < left) {
                left = x;
                f[size++] = n;
            }
            r[n] = left;
        }
        for (int a = 1; a <= boxA; a++) {
            int row = a * width;
            left = Double.POSITIVE_INFINITY;
            for (int n = row, end = row + boxB; n <= end; n++) {
                double below = r[n - width];
                double x = e[n];
                double m = Math.min(below, left);
                if (x < m) {
                    m = x;
                    f[size++] = n;
                }
                r[n] = m;
                left = m;
            }
        }
        return size;
    }

    /** Indices of the options no other option of the group dominates; ties keep the earlier option. */
    static int[] undominated(int[] w1, int[] w2, double[] cost) {
        int k = cost.length;
        int[] out = new int[k];
        int size = 0;
        for (int i = 0; i < k; i++) {
            if (!(cost[i] < Double.POSITIVE_INFINITY) || w1[i] < 0 || w2[i] < 0) {
                continue;
            }
            boolean dominated = false;
            for (int j = 0; j < k && !dominated; j++) {
                if (j == i || !(cost[j] < Double.POSITIVE_INFINITY)) {
                    continue;
                }
                boolean noWorse = w1[j] <= w1[i] && w2[j] <= w2[i] && cost[j] <= cost[i];
                boolean better = w1[j] < w1[i] || w2[j] < w2[i] || cost[j] < cost[i];
                dominated = noWorse && (better || j < i);
            }
            if (!dominated) {
                out[size++] = i;
            }
        }
        return Arrays.copyOf(out, size);
    }

    private void ensureCapacity(int groups, int cells) {
        if (reach.length < cells) {
            reach = new double[cells];
            extended = new double[cells];
            frontier = new int[cells];
            prevCell = new int[0][];
            option = new short[0][];
        }
        if (prevCell.length < groups) {
            int[][] p = Arrays.copyOf(prevCell, groups);
            short[][] o = Arrays.copyOf(option, groups);
            for (int g = prevCell.length; g < groups; g++) {
                p[g] = new int[reach.length];
                o[g] = new short[reach.length];
            }
            prevCell = p;
            option = o;
        }
    }
}
