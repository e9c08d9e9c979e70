package dev.echelon.routing;

import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transparent rules from {@link RequestFeatures} to a task category and a difficulty. No learning and no knowledge
 * of any model: the scores below are Echelon's own reading of the request, and what the roles can actually do is
 * learned later from outcomes ({@link SkillTracker}, {@link ExemplarIndex}).
 *
 * <h2>Category</h2>
 * A request longer than {@code longContextTokens} (default 3000 estimated tokens) is {@code long-context}. Otherwise
 * each category gets a score and the highest wins (ties: code, math, architecture, planning, reasoning, factual,
 * chat); counts are capped so that one signal cannot run away:
 * <pre>
 * code         = 3.0·min(fences,2) + 0.6·min(codeLines,8) + 0.8·min(inlineCode,3) + 0.7·min(codeWords,5)
 *                + 1.0·min(languages,2) + 1.5 if an earlier message holds code and this one is a short follow-up
 *                (&lt; 40 words)
 * math         = 2.0·min(latex,3) + 1.1·min(mathWords,5) + 0.8·min(equations,5) + 0.5 if ≥ 6 digits and an equation
 *                + 0.4·min(numbers,4) if ≥ 2 numbers (or 1 number with a math word or equation)
 * architecture = 1.3·min(architectureMarkers,6) + 0.4·min(planningMarkers,3) when architectureMarkers ≥ 1
 * planning     = 1.0·min(planningMarkers,4)
 * reasoning    = 0.9·min(reasoningMarkers,5) + 0.5·min(stepMarkers,4) + 0.5 if a question of more than 25 words
 * chat         = 3.0 for a greeting or small talk + 1.5·min(creative,2) + 0.7·min(personal,4)
 *                + 1.0 for ≤ 6 words that are no question
 * </pre>
 * plus, for every role whose routing keywords the request hits, {@code 0.5·min(hits,3)} to that role's first
 * routing category (so registry keywords steer classification). Then
 * <pre>
 * factual      = question: 2.0 (≤ 25 words, look-up opener: what, who, when, …), 1.5 (≤ 25 words), 1.0 (≤ 50 words)
 *                × 0.5 when code, math or architecture ≥ 1, reasoning ≥ 1.5 or chat ≥ 1.5
 *                (a question with domain evidence is a question about that domain)
 * </pre> When every score is below 1 the request is
 * {@code factual} if it is a question of ≤ 40 words, {@code chat} if it has ≤ 12 words, else {@code reasoning}.
 *
 * <h2>Difficulty</h2>
 * <pre>
 * d = base(category)                         chat 0, factual 0, code/math/reasoning .05,
 *                                            planning/architecture .10, long-context .30
 *   + 0.18·log2(1 + words/15), at most .5    (length of the last user message; not for long-context, which
 *                                            instead gets 0.10·log2(tokens/3000), at most .2)
 *   + 0.04·min(steps + enumeration items, 6)
 *   + 0.03·min(constraints, 6)
 *   + 0.08·min(hard markers, 4)
 *   − 0.06·min(easy markers, 3)
 *   + 0.015·min(code lines, 10) for code, 0.03·min(latex + equations, 6) for math
 *   + 0.05 with tools, + 0.05 for JSON output, + 0.02·min(user turns − 1, 5)
 * clamped to [0, 1]
 * </pre>
 */
public final class Classifier {

    /** Above this many estimated tokens a request is long-context. */
    public static final int DEFAULT_LONG_CONTEXT_TOKENS = 3000;

    private static final List<String> TIE_ORDER = List.of(TaskCategory.CODE, TaskCategory.MATH,
            TaskCategory.ARCHITECTURE, TaskCategory.PLANNING, TaskCategory.REASONING, TaskCategory.FACTUAL,
            TaskCategory.CHAT);

    private final int longContextTokens;
    /** Per role, the category its keyword hits vote for. */
    private final Map<String, String> keywordCategory;

    /**
     * @param longContextTokens threshold (estimated tokens) above which a request is long-context
     * @param keywordCategory   per role, the category its routing keyword hits add to (usually its first routing
     *                          category); roles absent here add nothing
     */
    public Classifier(int longContextTokens, Map<String, String> keywordCategory) {
        if (longContextTokens < 1) {
            throw new IllegalArgumentException("longContextTokens must be ≥ 1 (was " + longContextTokens + ")");
        }
        this.longContextTokens = longContextTokens;
        this.keywordCategory = Map.copyOf(keywordCategory);
    }

    /** Keyword hits vote for each user-serving role's first routing category. */
    public static Classifier fromRegistry(ModelRegistry registry) {
        return fromRegistry(registry, DEFAULT_LONG_CONTEXT_TOKENS);
    }

    public static Classifier fromRegistry(ModelRegistry registry, int longContextTokens) {
        Map<String, String> m = new LinkedHashMap<>();
        for (RoleSpec r : registry.roles().values()) {
            if (r.servesUsers() && !r.routing().categories().isEmpty()) {
                m.put(r.name(), TaskCategory.normalise(r.routing().categories().get(0)));
            }
        }
        return new Classifier(longContextTokens, m);
    }

    public int longContextTokens() {
        return longContextTokens;
    }

    public Classification classify(RequestFeatures f) {
        Map<String, Double> s = scores(f);
        String category;
        double top;
        double second;
        if (f.estimatedTokens() > longContextTokens) {
            category = TaskCategory.LONG_CONTEXT;
            top = 1;
            second = 0;
        } else {
            category = null;
            top = 0;
            second = 0;
            for (String c : TIE_ORDER) {
                double v = s.getOrDefault(c, 0.0);
                if (category == null || v > top) {
                    second = Math.max(second, category == null ? 0 : top);
                    category = c;
                    top = v;
                } else {
                    second = Math.max(second, v);
                }
            }
            if (top < 1.0) {
                if (f.question() && f.lastUserWords() <= 40) {
                    category = TaskCategory.FACTUAL;
                } else if (f.lastUserWords() <= 12) {
                    category = TaskCategory.CHAT;
                } else {
                    category = TaskCategory.REASONING;
                }
                top = 1;
                second = 1; // a fallback is never confident
            }
        }
        double confidence = top <= 0 ? 0 : Math.max(0, Math.min(1, (top - second) / top));
        return new Classification(category, difficulty(f, category), confidence, s);
    }

    /** The rule score of every category (long-context excepted, which is decided by length). */
    public Map<String, Double> scores(RequestFeatures f) {
        Map<String, Double> s = new LinkedHashMap<>();
        double code = 3.0 * Math.min(f.codeFences(), 2) + 0.6 * Math.min(f.codeLines(), 8)
                + 0.8 * Math.min(f.inlineCode(), 3) + 0.7 * Math.min(f.codeWords(), 5)
                + 1.0 * Math.min(f.codeLanguages().size(), 2);
        if (f.contextHasCode() && f.lastUserWords() < 40) {
            code += 1.5;
        }
        double math = 2.0 * Math.min(f.latex(), 3) + 1.1 * Math.min(f.mathWords(), 5)
                + 0.8 * Math.min(f.equations(), 5) + (f.digits() >= 6 && f.equations() >= 1 ? 0.5 : 0);
        if (f.numbers() >= 2 || (f.numbers() == 1 && f.mathWords() + f.equations() >= 1)) {
            math += 0.4 * Math.min(f.numbers(), 4);
        }
        double arch = f.architectureMarkers() >= 1
                ? 1.3 * Math.min(f.architectureMarkers(), 6) + 0.4 * Math.min(f.planningMarkers(), 3)
                : 0;
        double planning = 1.0 * Math.min(f.planningMarkers(), 4);
        double reasoning = 0.9 * Math.min(f.reasoningMarkers(), 5) + 0.5 * Math.min(f.stepMarkers(), 4)
                + (f.question() && f.lastUserWords() > 25 ? 0.5 : 0);
        double chat = (f.greeting() ? 3.0 : 0) + 1.5 * Math.min(f.creativeMarkers(), 2)
                + 0.7 * Math.min(f.personalMarkers(), 4) + (f.lastUserWords() <= 6 && !f.question() ? 1.0 : 0);
        s.put(TaskCategory.CODE, code);
        s.put(TaskCategory.MATH, math);
        s.put(TaskCategory.ARCHITECTURE, arch);
        s.put(TaskCategory.PLANNING, planning);
        s.put(TaskCategory.REASONING, reasoning);
        s.put(TaskCategory.CHAT, chat);
        keywordCategory.forEach((role, category) -> {
            int hits = f.keywordHits(role);
            if (hits > 0 && s.containsKey(category)) {
                s.merge(category, 0.5 * Math.min(hits, 3), Double::sum);
            }
        });
        double factual = 0;
        if (f.question()) {
            int w = f.lastUserWords();
            factual = w <= 25 ? (f.lookupQuestion() ? 2.0 : 1.5) : w <= 50 ? 1.0 : 0;
            double domain = Math.max(s.get(TaskCategory.CODE), Math.max(s.get(TaskCategory.MATH),
                    s.get(TaskCategory.ARCHITECTURE)));
            if (domain >= 1.0 || s.get(TaskCategory.REASONING) >= 1.5 || s.get(TaskCategory.CHAT) >= 1.5) {
                factual *= 0.5; // a question form with domain evidence is a question about that domain
            }
        }
        s.put(TaskCategory.FACTUAL, factual);
        return s;
    }

    /** Difficulty in [0, 1] from observable features; see the class comment for the weights. */
    public double difficulty(RequestFeatures f, String category) {
        double d = switch (category) {
            case TaskCategory.CHAT -> 0.0;
            case TaskCategory.FACTUAL -> 0.0;
            case TaskCategory.PLANNING, TaskCategory.ARCHITECTURE -> 0.10;
            case TaskCategory.LONG_CONTEXT -> 0.30;
            default -> 0.05;
        };
        if (category.equals(TaskCategory.LONG_CONTEXT)) {
            d += Math.min(0.2, Math.max(0, 0.10 * log2(f.estimatedTokens() / (double) longContextTokens)));
        } else {
            d += Math.min(0.5, 0.18 * log2(1 + f.lastUserWords() / 15.0));
        }
        d += 0.04 * Math.min(f.stepMarkers() + f.enumerationItems(), 6);
        d += 0.03 * Math.min(f.constraintMarkers(), 6);
        d += 0.08 * Math.min(f.hardMarkers(), 4);
        d -= 0.06 * Math.min(f.easyMarkers(), 3);
        if (category.equals(TaskCategory.CODE)) {
            d += 0.015 * Math.min(f.codeLines(), 10);
        } else if (category.equals(TaskCategory.MATH)) {
            d += 0.03 * Math.min(f.latex() + f.equations(), 6);
        }
        if (f.toolsPresent()) {
            d += 0.05;
        }
        if (f.jsonRequested()) {
            d += 0.05;
        }
        d += 0.02 * Math.min(Math.max(0, f.userTurns() - 1), 5);
        return Math.max(0, Math.min(1, d));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
