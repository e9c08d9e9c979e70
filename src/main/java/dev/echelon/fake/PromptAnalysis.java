package dev.echelon.fake;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fake's capability model: what kind of prompt this is and how hard, and from that how well a model of a given
 * capability answers it and how often a draft model's guesses are accepted. Private to the fake — the real system
 * must infer difficulty from the signals the answers carry, never from this class.
 */
final class PromptAnalysis {

    enum Kind { PROSE, CODE, MATH, STRUCTURED, GREETING }

    private static final Set<String> CODE_WORDS = Set.of("code", "function", "functions", "implement",
            "implementation", "python", "java", "javascript", "typescript", "program", "script", "algorithm", "def",
            "sql", "refactor", "debug", "compile", "compiler", "snippet", "regex", "method", "class", "bug", "api",
            "unit", "tests", "rust", "golang", "c++");
    private static final Set<String> STRONG_CODE_WORDS = Set.of("code", "function", "implement", "python", "java",
            "javascript", "typescript", "program", "script", "algorithm", "def", "sql", "refactor", "debug",
            "snippet", "regex", "rust", "golang");
    private static final Set<String> MATH_WORDS = Set.of("prove", "proof", "theorem", "equation", "equations",
            "integral", "derivative", "solve", "calculate", "compute", "sum", "product", "prime", "primes",
            "probability", "algebra", "geometry", "matrix", "plus", "minus", "times", "multiplied", "divided",
            "sqrt", "percent", "lemma", "integer", "integers", "polynomial", "factorial", "fraction");
    private static final Set<String> PROOF_WORDS = Set.of("prove", "proof", "theorem", "derive", "rigorous",
            "rigorously", "lemma", "formally");
    private static final List<String> MULTI_STEP = List.of("step by step", "step-by-step", " then ", "design",
            "architecture", "trade-off", "tradeoff", "trade off", "compare", "analyze", "analyse", "optimize",
            "optimise", "explain why", "plan ", "evaluate", "justify", "in detail", "multiple", "first,", "finally",
            "concurren", "distributed", "scalab");
    private static final List<String> REASONING = List.of("explain", "why", "how does", "how do", "describe",
            "what happens", "reason");
    private static final List<String> BRIEF = List.of("brief", "briefly", "short", "one sentence", "in a word",
            "quick", "concise", "tl;dr", "one line");
    private static final Pattern ENUMERATION = Pattern.compile("(?m)^\\s*(\\d+[.)]|[-*])\\s+\\S");
    private static final Pattern ARITHMETIC = Pattern.compile("\\d+(\\.\\d+)?\\s*[-+*/^=x×÷]\\s*\\d+");
    private static final Pattern WORD = Pattern.compile("[a-z][a-z+#']*");

    final String text;
    final Kind kind;
    final double difficulty;
    final String language;
    final boolean jsonRequested;
    final boolean brief;
    final boolean stepByStep;
    final Set<String> words;
    final int wordCount;

    private PromptAnalysis(String text, Kind kind, double difficulty, String language, boolean jsonRequested,
            boolean brief, boolean stepByStep, Set<String> words, int wordCount) {
        this.text = text;
        this.kind = kind;
        this.difficulty = difficulty;
        this.language = language;
        this.jsonRequested = jsonRequested;
        this.brief = brief;
        this.stepByStep = stepByStep;
        this.words = words;
        this.wordCount = wordCount;
    }

    static PromptAnalysis of(String text, boolean jsonRequested, long salt) {
        String t = text == null ? "" : text;
        String lower = t.toLowerCase(Locale.ROOT);
        Set<String> words = new LinkedHashSet<>();
        int wordCount = 0;
        Matcher m = WORD.matcher(lower);
        while (m.find()) {
            words.add(m.group());
            wordCount++;
        }
        int codeHits = 0;
        boolean strongCode = lower.contains("```");
        for (String w : words) {
            if (CODE_WORDS.contains(w)) {
                codeHits++;
            }
            if (STRONG_CODE_WORDS.contains(w)) {
                strongCode = true;
            }
        }
        boolean code = strongCode || codeHits >= 2 || lower.contains("def ") || lower.contains("public static")
                || lower.contains("#include") || lower.contains("=> {");
        int mathHits = 0;
        boolean proof = false;
        for (String w : words) {
            if (MATH_WORDS.contains(w)) {
                mathHits++;
            }
            if (PROOF_WORDS.contains(w)) {
                proof = true;
            }
        }
        boolean arithmetic = ARITHMETIC.matcher(lower).find();
        boolean math = !code && (mathHits >= 1 || arithmetic);
        int multi = 0;
        for (String marker : MULTI_STEP) {
            if (lower.contains(marker)) {
                multi++;
            }
        }
        Matcher e = ENUMERATION.matcher(t);
        int enumerations = 0;
        while (e.find()) {
            enumerations++;
        }
        boolean brief = BRIEF.stream().anyMatch(lower::contains);
        boolean greeting = wordCount <= 6 && !code && !math
                && (words.contains("hi") || words.contains("hello") || words.contains("hey")
                        || words.contains("thanks") || words.contains("thank") || lower.startsWith("good morning"));

        double d = 0.12;
        d += 0.18 * Math.min(1.0, wordCount / 120.0);
        if (code) {
            d += 0.15 + Math.min(0.10, 0.03 * Math.max(0, codeHits - 1));
        }
        if (REASONING.stream().anyMatch(lower::contains)) {
            d += 0.04;
        }
        if (math || (code && mathHits > 0)) {
            d += 0.12 + Math.min(0.08, 0.03 * Math.max(0, mathHits - 1)) + (arithmetic ? 0.02 : 0);
        }
        if (proof) {
            d += 0.15;
        }
        d += Math.min(0.40, 0.09 * multi + 0.03 * Math.min(enumerations, 5));
        if (greeting) {
            d -= 0.10;
        } else if (wordCount < 12 && (lower.startsWith("what is") || lower.startsWith("who is")
                || lower.startsWith("who was") || lower.startsWith("when did") || lower.startsWith("where is"))) {
            d -= 0.05;
        }
        if (brief) {
            d -= 0.03;
        }
        d += (Hashing.unit(Hashing.of("difficulty-jitter", salt, t)) - 0.5) * 0.08;
        d = Math.max(0.0, Math.min(1.0, d));

        Kind kind = jsonRequested ? Kind.STRUCTURED : code ? Kind.CODE : math ? Kind.MATH
                : greeting ? Kind.GREETING : Kind.PROSE;
        String language = words.contains("java") ? "java"
                : (words.contains("javascript") || words.contains("typescript") || words.contains("js")
                        || words.contains("node")) ? "javascript" : "python";
        boolean stepByStep = lower.contains("step by step") || lower.contains("step-by-step")
                || lower.contains("steps") || lower.contains("list ");
        return new PromptAnalysis(t, kind, d, language, jsonRequested, brief, stepByStep, Set.copyOf(words),
                wordCount);
    }

    /** capability − difficulty: ≥ 0 the model is up to the prompt, < 0 it is out of its depth. */
    double margin(double capability) {
        return capability - difficulty;
    }

    /** How far out of its depth, 0 (capable) to 1 (hopeless). */
    static double severity(double margin) {
        return margin >= 0 ? 0.0 : Math.min(1.0, -margin / 0.5);
    }

    /**
     * Probability that the draft model's next guess is accepted by the target (α in Leviathan et al.): structured
     * text and code are predictable, prose less so, and a model out of its depth produces erratic text its draft
     * cannot anticipate.
     */
    double acceptanceRate(double targetCapability) {
        double base = switch (kind) {
            case CODE, STRUCTURED -> 0.80;
            case MATH -> 0.70;
            case GREETING -> 0.65;
            case PROSE -> 0.60;
        };
        double a = base - 0.35 * severity(margin(targetCapability));
        return Math.max(0.05, Math.min(0.95, a));
    }

    /** The corpus topic whose keywords the prompt mentions most (general when none). */
    Corpus.Topic topic() {
        Corpus.Topic best = Corpus.topic("general");
        int bestHits = 0;
        for (Corpus.Topic topic : Corpus.TOPICS) {
            int hits = 0;
            for (String w : words) {
                if (topic.keywords().contains(w)) {
                    hits++;
                }
            }
            if (hits > bestHits) {
                best = topic;
                bestHits = hits;
            }
        }
        if (bestHits == 0) {
            if (kind == Kind.CODE) {
                return Corpus.topic("programming");
            }
            if (kind == Kind.MATH) {
                return Corpus.topic("math");
            }
        }
        return best;
    }
}
