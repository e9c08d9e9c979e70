package dev.echelon.simulate;

import dev.echelon.registry.Tier;
import dev.echelon.residency.ResidencyModel;
import dev.echelon.residency.ResidentRole;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Kinds of work a trace mixes, each served by one role, with its own prompt and answer lengths (log-normal: median
 * and spread). Chat is short; code and architecture bring long contexts; math answers run long.
 */
public enum WorkKind {
    CHAT(150, 0.7, 120, 0.6),
    GENERAL(600, 0.7, 350, 0.6),
    MATH(250, 0.6, 450, 0.5),
    CODE(1500, 0.8, 400, 0.6),
    DESIGN(2500, 0.7, 600, 0.5);

    static final int MAX_OUTPUT_TOKENS = 2048;

    private final double promptMedian;
    private final double promptSigma;
    private final double outputMedian;
    private final double outputSigma;

    WorkKind(double promptMedian, double promptSigma, double outputMedian, double outputSigma) {
        this.promptMedian = promptMedian;
        this.promptSigma = promptSigma;
        this.outputMedian = outputMedian;
        this.outputSigma = outputSigma;
    }

    int promptTokens(SplittableRandom rnd, int maxPrompt) {
        return (int) Math.max(8, Math.min(maxPrompt, Math.round(logNormal(rnd, promptMedian, promptSigma))));
    }

    int outputTokens(SplittableRandom rnd) {
        return (int) Math.max(4, Math.min(MAX_OUTPUT_TOKENS, Math.round(logNormal(rnd, outputMedian, outputSigma))));
    }

    private static double logNormal(SplittableRandom rnd, double median, double sigma) {
        return median * Math.exp(sigma * gaussian(rnd));
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Which managed role serves each kind, by tier: chat → the first tier-A role; general → the first tier-C role,
     * math → the second (or the first); code → the first tier-B role, architecture → the second (or the first).
     * With the shipped registry: frontdoor, worker, math, coder, architect.
     */
    public static Map<WorkKind, String> roles(ResidencyModel model) {
        List<String> a = ofTier(model, Tier.A);
        List<String> b = ofTier(model, Tier.B);
        List<String> c = ofTier(model, Tier.C);
        if (a.isEmpty() || b.isEmpty() || c.isEmpty()) {
            throw new IllegalArgumentException("traces need managed roles in tiers A, B and C; managed: "
                    + model.roles().keySet());
        }
        Map<WorkKind, String> m = new EnumMap<>(WorkKind.class);
        m.put(CHAT, a.get(0));
        m.put(GENERAL, c.get(0));
        m.put(MATH, c.get(Math.min(1, c.size() - 1)));
        m.put(CODE, b.get(0));
        m.put(DESIGN, b.get(Math.min(1, b.size() - 1)));
        return m;
    }

    private static List<String> ofTier(ResidencyModel model, Tier t) {
        return model.roles().values().stream().filter(r -> r.tier() == t).map(ResidentRole::name).toList();
    }
}
