package dev.echelon.fake;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a {@link TextComposer.Script} into tokens, one at a time, each with the log-probability the model gave it and
 * the top alternatives. A capable model's tokens are confident (mean log-probability about −0.3, most of the
 * remaining mass on one or two alternatives); a model out of its depth gives flat distributions, with a mean
 * log-probability of −2 or lower, falling further as the prompt gets harder.
 */
final class TokenStream {

    record Candidate(int id, double logprob) {
    }

    /** One generated token; {@code top} is sorted by log-probability, highest first. */
    record Planned(int id, double logprob, List<Candidate> top, boolean eos) {
    }

    private static final int ALTERNATIVES = 20;

    private final Tokenizer tokenizer;
    private final TextComposer.Script script;
    private final boolean ignoreEos;
    private final long seed;
    private final SplittableRandom lpRandom;
    private final boolean weak;
    private final double weakMean;
    private final Deque<Integer> pending = new ArrayDeque<>();
    private boolean mainDone;
    private int index;

    TokenStream(Tokenizer tokenizer, TextComposer.Script script, boolean ignoreEos, long seed) {
        this.tokenizer = tokenizer;
        this.script = script;
        this.ignoreEos = ignoreEos;
        this.seed = seed;
        this.lpRandom = new SplittableRandom(Hashing.of("logprob", seed));
        this.weak = script.mode() != TextComposer.Mode.CONFIDENT;
        this.weakMean = 1.9 + 2.0 * script.severity();
        pending.addAll(tokenizer.tokenize(script.main(), false, false));
    }

    /** The next token, or an end-of-sequence token when the answer is complete (never with ignore_eos). */
    Planned next(int nProbs) {
        while (pending.isEmpty()) {
            if (!mainDone && !ignoreEos) {
                mainDone = true;
                return planned(Tokenizer.EOS, true, nProbs);
            }
            mainDone = true;
            String more = script.filler().get();
            pending.addAll(tokenizer.tokenize(more, false, false));
        }
        return planned(pending.poll(), false, nProbs);
    }

    private Planned planned(int id, boolean eos, int nProbs) {
        int i = index++;
        double lp = logprob(eos);
        List<Candidate> top = nProbs > 0 ? top(id, lp, i, nProbs) : List.of();
        return new Planned(id, lp, top, eos);
    }

    private double logprob(boolean eos) {
        double u = lpRandom.nextDouble();
        if (!weak) {
            double lp = -0.3 * -Math.log(1 - u);
            return eos ? Math.max(lp, -0.2) : Math.max(lp, -6.0);
        }
        return Math.max(-12.0, -weakMean * (0.5 + u));
    }

    private List<Candidate> top(int chosen, double lp, int tokenIndex, int nProbs) {
        SplittableRandom r = new SplittableRandom(Hashing.mix(seed ^ (0x9e3779b97f4a7c15L * (tokenIndex + 1))));
        int n = Math.max(ALTERNATIVES, nProbs);
        double ratio = weak ? Math.min(0.95, 0.75 + 0.2 * script.severity()) : 0.3;
        double rest = Math.max(1e-9, 1 - Math.exp(lp)) * 0.92;
        double norm = (1 - ratio) / (1 - Math.pow(ratio, n));
        int[] pool = tokenizer.commonIds();
        List<Candidate> all = new ArrayList<>(n + 1);
        all.add(new Candidate(chosen, lp));
        List<Integer> used = new ArrayList<>();
        used.add(chosen);
        for (int j = 0; j < n; j++) {
            int id;
            int guard = 0;
            do {
                id = pool.length > 0 && guard < 50 ? pool[r.nextInt(pool.length)]
                        : Tokenizer.FIRST_PIECE + r.nextInt(Tokenizer.N_VOCAB - Tokenizer.FIRST_PIECE);
                guard++;
            } while (used.contains(id) || !tokenizer.valid(id) || tokenizer.bytes(id).length == 0);
            used.add(id);
            double p = rest * norm * Math.pow(ratio, j) * (0.85 + 0.3 * r.nextDouble());
            all.add(new Candidate(id, Math.log(Math.max(p, 1e-30))));
        }
        all.sort(Comparator.comparingDouble(Candidate::logprob).reversed());
        return List.copyOf(all.subList(0, Math.min(nProbs, all.size())));
    }
}
