package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echelon.registry.ModelRegistry;
import dev.echelon.registry.RoleSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link RequestFeatures} from an OpenAI chat-completions body: {@code messages} (string or content-part
 * content), {@code tools} / {@code functions}, {@code response_format}. Pure and cheap: one tokenisation, whole-word
 * phrase sets ({@link Phrases}), hand-written scanners and a few anchored regular expressions over at most
 * {@link #ANALYSED_CHARS} characters of the last user message, so a few
 * microseconds for ordinary prompts and a few hundred for long documents. Thread-safe.
 */
public final class FeatureExtractor {

    /** Long messages are analysed on their head and tail only (lengths are always measured in full). */
    public static final int ANALYSED_CHARS = 8_000;
    private static final int ANALYSED_TAIL = 2_000;
    /** Messages longer than this have their difficulty markers read from head and tail only. */
    public static final int INSTRUCTION_CHARS = 4_000;
    /** The excerpt used for embeddings: whole up to this length, else head + tail. */
    public static final int EXCERPT_CHARS = 1_200;

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;

    // ------------------------------------------------------------------ structural patterns (regular expressions)

    static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)\\s*([A-Za-z0-9_+#.-]*)", Pattern.MULTILINE);

    /** A line that starts like code. */
    static final Pattern CODE_LINE_START = Pattern.compile(
            "\\s*(?:def \\w+\\s*\\(|class \\w+|import [\\w.{*]|from [\\w.]+ import|#include|package [\\w.]+;"
                    + "|(?:public|private|protected|static|final|async|export)\\s+\\w+|fn \\w+|func \\w+"
                    + "|function\\s*\\w*\\s*\\(|(?:const|let|var)\\s+\\w+\\s*=|return\\b.*;"
                    + "|(?:if|for|while|switch|catch)\\s*\\(.*\\)\\s*\\{?"
                    + "|(?:SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|ALTER TABLE)\\s|@\\w+(?:\\(|\\s*$)"
                    + "|//|/\\*|\\*/|[}{\\])]+\\s*;?\\s*$|at [\\w.$]+\\([\\w.]+:\\d+\\)|Traceback \\(most recent"
                    + "|File \"[^\"]+\", line \\d+|\\$ \\w+|>>> )");

    static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]{1,120}`");

    static final Pattern LATEX = Pattern.compile(
            "\\\\(?:frac|int|iint|oint|sum|sqrt|lim|prod|cdot|times|infty|alpha|beta|gamma|delta|epsilon|theta|lambda"
                    + "|mu|sigma|pi|partial|nabla|mathbb|mathbf|mathrm|binom|le|leq|ge|geq|neq|approx|equiv|in|subset"
                    + "|forall|exists|log|ln|sin|cos|tan|left|right|begin|end|pmatrix|vec|hat|bar)(?![a-zA-Z])"
                    + "|\\$[^$\\n]{1,200}\\$|\\^\\{|_\\{");

    static final Pattern ENUMERATION = Pattern.compile("^\\s*(?:[-*•]|\\d{1,2}[.)]|[a-h][.)])\\s+\\S",
            Pattern.MULTILINE);

    static final Pattern QUESTION_OPENER = Pattern.compile("^\\s*(?:what|what's|whats|who|who's|whom|whose|when"
            + "|where|which|why|how|is|are|was|were|does|do|did|can|could|would|will|should|define|name|list"
            + "|tell me)\\b", FLAGS);

    static final Pattern LOOKUP_OPENER = Pattern.compile("^\\s*(?:what(?:'s| is| are| was| were| does| did)?|who|who's"
            + "|whom|whose|when|where|which|how (?:many|much|tall|long|far|old|big)|define|name|list|is|are|was|were"
            + "|did)\\b", FLAGS);

    static final Pattern GREETING = Pattern.compile("^\\s*(?:hi|hello|hey|hiya|heya|yo|howdy|greetings|sup"
            + "|good (?:morning|afternoon|evening|night)|thanks|thank you|thx|ty|cheers|bye|goodbye|see you|lol|haha"
            + "|ok|okay|cool|nice|great|awesome|morning|gm)\\b", FLAGS);

    // ------------------------------------------------------------------ vocabularies (whole-token phrases)

    static final Phrases CODE_WORDS = Phrases.of("code", "coding", "function", "functions", "method", "methods",
            "class", "classes", "variable", "variables", "compile", "compiler", "compiles", "compilation", "bug",
            "bugs", "debug", "debugging", "stack trace", "stacktrace", "traceback", "exception", "null pointer",
            "nullpointer*", "segfault", "segmentation fault", "regex", "regexp", "regular expression", "script",
            "api", "endpoint", "library", "unit test", "unit tests", "refactor", "refactoring", "implement",
            "implementation", "snippet", "syntax", "runtime error", "type error", "array", "arrays", "hashmap",
            "dictionary", "loop", "recursion", "recursive", "git", "commit", "pull request", "dataframe", "pandas",
            "numpy", "npm", "pip", "maven", "gradle", "linter", "lint", "dockerfile", "cli", "program", "parser",
            "async", "await", "callback", "promise", "struct", "enum", "interface", "generic", "generics", "lambda",
            "iterator", "string", "integer overflow", "off-by-one", "memory leak", "borrow checker", "lifetime",
            "pointer", "json", "yaml", "csv", "http request", "query", "queries", "index", "stored procedure", "orm",
            "template", "component", "hook", "hooks", "decorator", "module", "package", "dependency", "build",
            "test case", "test cases", "mock", "assert", "leetcode", "binary search", "linked list", "hash table",
            "big-o", "kernel", "handler", "repl", "interpreter", "benchmark");

    /** Programming languages and frameworks; the value is the canonical name. */
    static final Map<String, String> LANGUAGE_NAMES = languageNames();
    static final Phrases LANGUAGES = new Phrases(LANGUAGE_NAMES.keySet());

    private static Map<String, String> languageNames() {
        Map<String, String> m = new java.util.HashMap<>();
        for (String l : List.of("python", "java", "javascript", "typescript", "rust", "golang", "c++", "c#",
                "kotlin", "swift", "ruby", "php", "haskell", "scala", "bash", "shell", "powershell", "sql", "postgres",
                "postgresql", "mysql", "sqlite", "html", "css", "lua", "perl", "elixir", "clojure", "zig", "dart",
                "matlab", "nodejs", "ocaml", "fortran", "cobol", "assembly", "verilog", "solidity", "terraform",
                "ansible", "cuda", "jsx", "tsx", "react", "django", "flask", "spring boot", "pytest", "junit")) {
            m.put(l, l);
        }
        m.put("node js", "nodejs");
        m.put("in go", "go");
        m.put("go code", "go");
        m.put("go program", "go");
        return Map.copyOf(m);
    }

    static final Phrases MATH_WORDS = Phrases.of("integral", "integrals", "integrate", "integration", "derivative",
            "derivatives", "differentiate", "differential", "prove", "proof", "proofs", "theorem", "lemma",
            "corollary", "equation", "equations", "solve for", "probability", "probabilities", "expected value",
            "variance", "standard deviation", "matrix", "matrices", "eigenvalue", "eigenvalues", "eigenvector",
            "eigenvectors", "determinant", "limit", "series", "converge", "converges", "convergence", "diverge",
            "diverges", "polynomial", "polynomials", "factorial", "prime", "primes", "prime number", "prime numbers",
            "modulo", "modular", "gcd", "lcm", "logarithm", "logarithms", "quadratic", "calculus", "algebra",
            "geometry", "triangle", "hypotenuse", "circle", "radius", "diameter", "area", "volume", "angle", "percent",
            "percentage", "fraction", "fractions", "ratio", "sum of", "product of", "how many ways", "combinatorics",
            "combinations", "permutation", "permutations", "binomial", "dice", "die", "coin", "coins", "calculate",
            "arithmetic", "median", "sqrt", "square root", "exponent", "inequality", "induction", "irrational",
            "integer", "integers", "divisible", "digits", "compound interest", "interest rate", "simplify", "factor",
            "factorise", "factorize", "vector", "vectors", "dot product", "cross product", "trigonometry", "sine",
            "cosine", "tangent", "slope", "parabola", "hyperbola", "ellipse", "asymptote", "maximise", "maximize",
            "minimise", "minimize", "optimum", "bayes", "distribution", "poisson", "gaussian", "normal distribution",
            "random variable", "markov", "recurrence", "sequence", "arithmetic sequence", "geometric series",
            "congruent", "perimeter", "mph", "km h", "average speed", "odds", "expected number", "real numbers",
            "natural numbers", "odd numbers", "even numbers", "times", "plus", "minus", "divided by", "multiplied by",
            "to the power of", "power of", "squared", "cubed", "decimal", "decimals", "decimal places", "round",
            "average", "interest", "compounded", "half-life", "how many different", "percent off", "km", "kg", "m s",
            "cm", "function f", "f x", "g x", "dy dx", "d dx", "mod", "pi", "radians", "degrees", "cubic", "roots",
            "solve", "evaluate the", "compute the");

    static final Phrases STEP_MARKERS = Phrases.of("step by step", "step-by-step", "steps", "first", "firstly", "then",
            "next", "finally", "after that", "afterwards", "secondly", "thirdly", "lastly", "followed by",
            "subsequently", "in order", "walk me through", "stage", "stages", "phase", "phases");

    static final Phrases REASONING = Phrases.of("explain", "explains", "explanation", "why", "reason", "reasons",
            "reasoning", "compare", "comparison", "contrast", "versus", "vs", "pros and cons", "trade-off",
            "trade-offs", "tradeoff", "tradeoffs", "trade off*", "analyse", "analyze", "analysing", "analyzing",
            "analysis", "evaluate", "assess", "implication", "implications", "consequence", "consequences",
            "what would happen", "what if", "suppose", "assume", "assuming", "argue", "argument", "arguments",
            "justify", "logic", "logical", "logically", "puzzle", "riddle", "deduce", "infer", "paradox", "dilemma",
            "think through", "cause", "causes", "difference between", "how does", "how do", "should i",
            "which is better", "critique", "counterargument", "strongest", "weakest", "fallacy", "hypothesis",
            "evidence", "interpret", "predict", "underlying", "mechanism", "ethical", "philosophical", "decide",
            "decision", "recommend", "advice", "strategy", "weigh", "persuade", "if", "would happen", "definitely",
            "necessarily", "trick", "flaw", "flawed", "better", "worse", "best way", "is it worth");

    static final Phrases ARCHITECTURE = architecture();

    private static Phrases architecture() {
        List<String> p = new ArrayList<>(List.of("architecture", "architectures", "architectural", "architect",
                "system design", "scalable", "scalability", "scale", "scaling", "microservice", "microservices",
                "monolith", "monolithic", "distributed", "high availability", "highly available", "fault-tolerant",
                "fault-tolerance", "fault tolerant", "fault tolerance", "failover", "replication", "replica",
                "replicas", "sharding", "shard", "shards", "partitioning", "load balanc*", "message queue*",
                "message broker*", "kafka", "rabbitmq", "event-driven", "event driven", "event sourcing", "cqrs",
                "api gateway", "service mesh", "kubernetes", "multi-region", "multi-tenant", "consistency",
                "eventual consistency", "throughput", "caching layer", "cdn", "infrastructure", "deployment",
                "observability", "rate limit*", "rate-limit*", "backpressure", "idempoten*", "saga",
                "bounded context", "bounded contexts", "domain-driven", "hexagonal", "serverless", "sla", "slas", "slo",
                "slos", "capacity planning", "migration", "migrate", "data model", "schema design", "design doc",
                "components", "service boundaries", "read replica", "read replicas", "write path", "read path",
                "queueing", "pub sub", "stream processing", "data pipeline", "data lake", "warehouse",
                "disaster recovery", "zero-downtime", "blue-green", "canary", "horizontal*", "vertical*",
                "single point of failure", "coupling", "decoupl*", "orchestration", "topology", "control plane",
                "data plane", "tenancy", "latency budget", "qps", "rps", "requests per second", "p99", "design the",
                "how would you design", "reference architecture", "cache", "caching", "database", "databases",
                "circuit breaker", "cap theorem", "stateless", "backend", "services", "elasticsearch", "opensearch",
                "ports and adapters", "feature flags", "multi-tenant", "tenants", "sync", "offline-first"));
        for (String det : List.of("a", "an", "the")) {
            for (String noun : List.of("system", "service", "platform", "pipeline", "backend", "infrastructure")) {
                p.add("design " + det + " " + noun);
                p.add("design " + det + " * " + noun);
            }
        }
        return new Phrases(p);
    }

    static final Phrases PLANNING = Phrases.of("plan", "plans", "planning", "roadmap", "timeline", "milestone",
            "milestones", "schedule", "rollout", "roll out", "itinerary", "checklist", "action item", "action items",
            "prioritise", "prioritize", "backlog", "sprint", "quarter", "okr", "okrs", "deliverable", "deliverables",
            "phased");

    static final Phrases CONSTRAINTS = Phrases.of("must", "must not", "should", "without", "at most", "at least",
            "no more than", "exactly", "only", "ensure", "guarantee", "within", "under #", "constraint",
            "constraints", "requirement", "requirements", "edge case", "edge cases", "thread-safe", "in-place",
            "no external", "limit", "limited", "cannot", "can't", "don't", "do not", "avoid", "never", "always",
            "budget", "deadline", "compatible", "backwards-compatible");

    static final Phrases HARD = Phrases.of("prove", "rigorous", "rigorously", "optimal", "optimise", "optimize",
            "optimising", "optimizing", "optimisation", "optimization", "complexity", "edge cases", "concurrent",
            "concurrency", "lock-free", "race condition", "race conditions", "deadlock", "deadlocks", "distributed",
            "formal", "formally", "from scratch", "production", "production-ready", "at scale", "efficient",
            "efficiently", "generalise", "generalize", "in-depth", "in depth", "detailed", "comprehensive",
            "thorough", "thoroughly", "derive", "derivation", "non-trivial", "nontrivial", "advanced", "multi-step",
            "security", "fault-tolerant", "consensus", "asymptotic", "amortized", "amortised", "exhaustive", "robust",
            "subtle", "tricky", "benchmark", "memory-safe", "zero-copy", "invariant", "invariants", "correctness",
            "worst case", "millions", "billions", "petabyte", "petabytes", "terabyte", "terabytes",
            "high-performance", "low-latency", "all possible", "every possible", "closed form", "closed-form",
            "general case", "for all", "iff", "nuanced", "competing", "rigor", "rigour", "contradict",
            "contradicts", "contradiction", "contradictions", "inconsisten*", "reconcile", "root cause",
            "discrepanc*", "critically", "precise", "precisely", "in detail", "justify", "step by step", "each",
            "every", "show that", "infinitely many", "minimal", "minimum", "maximum");

    static final Phrases EASY = Phrases.of("simple", "simply", "quick", "quickly", "brief", "briefly", "basic",
            "short", "one sentence", "one word", "one line", "eli5", "for a beginner", "beginner", "for kids",
            "for a child", "easy", "just", "in a nutshell", "tldr", "tl dr", "yes or no", "roughly", "in a few words",
            "remind me", "what's the", "what is the");

    static final Phrases SMALL_TALK = Phrases.of("how are you", "how's it going", "how is it going", "what's up",
            "whats up", "tell me a joke", "a joke", "your name", "who are you", "are you a bot", "are you human",
            "i'm bored", "im bored", "how was your day", "how's your day", "nice to meet you", "you're funny",
            "good job", "well done", "you rock", "i love you", "my day", "favorite", "favourite", "weekend", "chat",
            "cheer me up", "feeling", "i feel", "fun fact");

    static final Phrases CREATIVE = Phrases.of("role-play", "roleplay", "role play", "pretend", "in character",
            "let's play", "let's do", "collaborative story", "once upon a time", "bedtime story",
            "conversation starter", "conversation starters", "icebreaker", "icebreakers", "best-man speech",
            "wedding toast", "birthday card", "fun", "funny", "cute", "silly");

    /** Creative forms; they count as creative when "write" or "compose" comes shortly before. */
    static final Set<String> CREATIVE_FORMS = Set.of("poem", "poems", "limerick", "haiku", "sonnet", "story",
            "stories", "toast", "speech", "eulogy", "letter", "song", "lyrics", "rhyme", "joke", "jokes", "note",
            "message", "card", "farewell", "tribute", "verse");

    static final Phrases PERSONAL = personal();

    private static Phrases personal() {
        List<String> p = new ArrayList<>(List.of("i feel", "i'm feeling", "i am feeling", "feeling", "lonely",
                "nervous", "anxious", "sad", "happy", "excited", "proud", "heartbroken", "stressed", "exhausted",
                "bored", "tired", "upset", "worried", "miss him", "miss her", "love", "cheer me up", "vent",
                "talk through", "lol", "haha"));
        for (String who : List.of("mom", "mum", "dad", "mother", "father", "son", "daughter", "wife", "husband",
                "partner", "boyfriend", "girlfriend", "friend", "best friend", "brother", "sister", "grandpa",
                "grandma", "grandmother", "grandfather", "boss", "roommate", "dog", "cat", "kids", "family",
                "teacher", "twins", "cousin", "aunt", "uncle")) {
            p.add("my " + who);
        }
        return new Phrases(p);
    }

    static final Phrases JSON_TEXT = Phrases.of("in json", "as json", "json format", "json object", "json output",
            "valid json", "json schema", "return json", "output json", "respond with json");

    private final Map<String, Phrases> roleKeywords;

    /**
     * @param keywordsByRole per role, its routing keywords (matched case-insensitively as whole words: {@code java}
     *                       does not match {@code javascript})
     */
    public FeatureExtractor(Map<String, List<String>> keywordsByRole) {
        Map<String, Phrases> m = new LinkedHashMap<>();
        keywordsByRole.forEach((role, kws) -> {
            List<String> phrases = kws.stream().map(k -> String.join(" ", Phrases.tokens(k)))
                    .filter(k -> !k.isEmpty()).toList();
            m.put(role, new Phrases(phrases));
        });
        this.roleKeywords = java.util.Collections.unmodifiableMap(m);
    }

    /** An extractor with the routing keywords of every role in the registry that serves users. */
    public static FeatureExtractor fromRegistry(ModelRegistry registry) {
        Map<String, List<String>> kw = new LinkedHashMap<>();
        for (RoleSpec r : registry.roles().values()) {
            if (r.servesUsers()) {
                kw.put(r.name(), r.routing().keywords());
            }
        }
        return new FeatureExtractor(kw);
    }

    /** Features of a one-message conversation (convenient for tests, evaluation and the exemplar index). */
    public RequestFeatures extractText(String userText) {
        return extract(List.of(new Msg("user", userText)), 0, false, 0);
    }

    /**
     * Features of an OpenAI chat-completions request body (or a completions body: its {@code prompt} counts as one
     * user message); tolerates missing or oddly typed fields.
     */
    public RequestFeatures extract(JsonNode body) {
        List<Msg> msgs = new ArrayList<>();
        int images = 0;
        JsonNode messages = body == null ? null : body.get("messages");
        if (messages != null && messages.isArray()) {
            for (JsonNode m : messages) {
                String role = m.path("role").asText("user");
                JsonNode content = m.get("content");
                if (content != null && content.isArray()) {
                    for (JsonNode part : content) {
                        if (!part.isTextual() && !part.has("text")
                                && (part.path("type").asText("").startsWith("image") || part.has("image_url"))) {
                            images++;
                        }
                    }
                }
                msgs.add(new Msg(role, content != null && (content.isTextual() || content.isArray())
                        ? MessageText.of(content) : ""));
            }
        } else if (body != null && body.has("prompt")) {
            // completions: the prompt (a string, or an array of strings) is the user's message
            JsonNode prompt = body.get("prompt");
            StringBuilder text = new StringBuilder();
            if (prompt.isArray()) {
                prompt.forEach(p -> append(text, p.asText("")));
            } else {
                text.append(prompt.asText(""));
            }
            msgs.add(new Msg("user", text.toString()));
        }
        int tools = 0;
        if (body != null) {
            JsonNode t = body.get("tools");
            if (t != null && t.isArray()) {
                tools += t.size();
            }
            JsonNode f = body.get("functions");
            if (f != null && f.isArray()) {
                tools += f.size();
            }
        }
        boolean json = false;
        if (body != null) {
            String type = body.path("response_format").path("type").asText("");
            json = type.equals("json_object") || type.equals("json_schema");
        }
        return extract(msgs, tools, json, images);
    }

    private static void append(StringBuilder sb, String s) {
        if (!sb.isEmpty()) {
            sb.append('\n');
        }
        sb.append(s);
    }

    private record Msg(String role, String text) {
    }

    private RequestFeatures extract(List<Msg> msgs, int toolCount, boolean jsonFormat, int images) {
        int total = 0;
        int userTurns = 0;
        int lastUser = -1;
        for (int i = 0; i < msgs.size(); i++) {
            Msg m = msgs.get(i);
            total += m.text().length();
            if (m.role().equals("user")) {
                userTurns++;
                lastUser = i;
            }
        }
        if (lastUser < 0 && !msgs.isEmpty()) {
            lastUser = msgs.size() - 1; // no user message: analyse whatever came last
        }
        String last = lastUser < 0 ? "" : msgs.get(lastUser).text();
        String text = analysed(last);
        String task = instruction(last);

        String[] tokens = Phrases.tokens(text);
        String[] taskTokens = task == text ? tokens : Phrases.tokens(task);

        boolean contextHasCode = false;
        for (int i = 0; i < msgs.size() && !contextHasCode; i++) {
            if (i != lastUser) {
                String t = analysed(msgs.get(i).text());
                contextHasCode = FENCE.matcher(t).find() || codeLines(t) >= 3;
            }
        }

        int fences = 0;
        Set<String> langs = new LinkedHashSet<>();
        if (text.contains("```") || text.contains("~~~")) {
            Matcher fm = FENCE.matcher(text);
            boolean open = false;
            while (fm.find()) {
                if (!open) {
                    fences++;
                    String tag = fm.group(2).toLowerCase(Locale.ROOT);
                    if (!tag.isEmpty()) {
                        langs.add(tag);
                    }
                }
                open = !open;
            }
        }
        for (String l : LANGUAGES.distinct(tokens)) {
            langs.add(LANGUAGE_NAMES.getOrDefault(l, l));
        }

        Map<String, Integer> hits = new LinkedHashMap<>();
        roleKeywords.forEach((role, p) -> hits.put(role, p.distinct(tokens).size()));

        int digits = 0;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                digits++;
            }
        }
        String trimmed = last.strip();
        boolean question = trimmed.indexOf('?') >= 0 || QUESTION_OPENER.matcher(trimmed).lookingAt();
        boolean greeting = (GREETING.matcher(trimmed).lookingAt() && trimmed.length() < 200)
                || (trimmed.length() < 300 && SMALL_TALK.count(tokens) > 0);
        boolean mathy = digits > 0 || hasAny(text, "√π∑∫∞≤≥≠±^");

        return new RequestFeatures(total, (total + 3) / 4, last.length(), words(last), msgs.size(), userTurns, fences,
                new ArrayList<>(langs), codeLines(text), text.indexOf('`') >= 0 ? count(INLINE_CODE, text) : 0,
                CODE_WORDS.count(tokens), contextHasCode, MATH_WORDS.count(tokens),
                text.indexOf('\\') >= 0 || text.indexOf('$') >= 0 || text.indexOf('{') >= 0 ? count(LATEX, text) : 0,
                mathy ? equations(text) : 0, digits, digits > 0 ? numbers(text) : 0,
                STEP_MARKERS.count(taskTokens), REASONING.count(tokens), ARCHITECTURE.count(tokens),
                PLANNING.count(tokens), count(ENUMERATION, task), CONSTRAINTS.count(taskTokens) + bigO(task),
                HARD.count(taskTokens), EASY.count(taskTokens), question,
                question && LOOKUP_OPENER.matcher(trimmed).lookingAt(), greeting, creative(tokens),
                PERSONAL.count(tokens) + personalPunctuation(text), hits, toolCount > 0, toolCount,
                jsonFormat || JSON_TEXT.count(tokens) > 0, images, excerpt(last));
    }

    private static boolean hasAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Lines that look like code: they start like a statement or contain an operator only code uses. */
    static int codeLines(String text) {
        int n = 0;
        int start = 0;
        int len = text.length();
        while (start <= len) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = len;
            }
            if (end > start && maybeCode(text, start, end)) {
                CharSequence line = text.subSequence(start, end);
                if (codeOperators(text, start, end) || CODE_LINE_START.matcher(line).lookingAt()) {
                    n++;
                }
            }
            start = end + 1;
        }
        return n;
    }

    private static final String[] CODE_OPERATORS = {"=>", "::", "!=", "===", "&&", "||", "++", "()"};

    /**
     * Something in the line that only code has: a trailing {@code ;} or <code>{</code>, an operator such as
     * {@code => :: != === && || ++}, an empty call {@code f()} or a method call {@code a.b(}.
     */
    private static boolean codeOperators(String text, int from, int to) {
        int last = to - 1;
        while (last >= from && Character.isWhitespace(text.charAt(last))) {
            last--;
        }
        if (last >= from && (text.charAt(last) == ';' || text.charAt(last) == '{')) {
            return true;
        }
        for (String op : CODE_OPERATORS) {
            int i = text.indexOf(op, from);
            if (i >= 0 && i + op.length() <= to && (!op.equals("()") || (i > from && isWord(text.charAt(i - 1))))) {
                return true;
            }
        }
        // a.b( : a word character, a dot, a word, an opening parenthesis
        for (int i = text.indexOf('.', from); i >= 0 && i < to; i = text.indexOf('.', i + 1)) {
            if (i > from && isWord(text.charAt(i - 1))) {
                int j = i + 1;
                while (j < to && isWord(text.charAt(j))) {
                    j++;
                }
                if (j > i + 1 && j < to && text.charAt(j) == '(') {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isWord(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static final String OPERATORS = "-+*/×÷^%";
    private static final String MATH_SYMBOLS = "√π∑∫∞≤≥≠±";

    /**
     * Arithmetic and algebra in the text, scanned by hand (a regular expression with these alternatives costs tens
     * of microseconds): {@code 17 * 23}, {@code 3 + (4}, {@code 15%}, {@code x^2}, {@code 3x}, {@code x = 4},
     * {@code x + 3 =}, {@code f(x) =}, {@code 2 < x}, and the symbols √ π ∑ ∫ ∞ ≤ ≥ ≠ ±.
     */
    static int equations(String t) {
        int n = 0;
        int len = t.length();
        int i = 0;
        while (i < len) {
            char c = t.charAt(i);
            if (MATH_SYMBOLS.indexOf(c) >= 0) {
                n++;
                i++;
                continue;
            }
            boolean tokenStart = i == 0 || !Character.isLetterOrDigit(t.charAt(i - 1));
            if (Character.isDigit(c)) {
                int j = i;
                while (j < len && (Character.isDigit(t.charAt(j))
                        || (t.charAt(j) == '.' && j + 1 < len && Character.isDigit(t.charAt(j + 1))))) {
                    j++;
                }
                // 3x (a number directly followed by a single letter)
                if (tokenStart && j < len && isAsciiLetter(t.charAt(j))
                        && (j + 1 >= len || !Character.isLetterOrDigit(t.charAt(j + 1)))) {
                    n++;
                    i = j + 1;
                    continue;
                }
                int k = skipSpaces(t, j);
                if (k < len) {
                    char op = t.charAt(k);
                    if (op == '%') {
                        n++;
                        i = k + 1;
                        continue;
                    }
                    if (OPERATORS.indexOf(op) >= 0) {
                        int m = skipSpaces(t, k + 1);
                        if (m < len && t.charAt(m) == '(') {
                            m++;
                        }
                        if (m < len && t.charAt(m) == '-') {
                            m++;
                        }
                        if (m < len && Character.isDigit(t.charAt(m))) {
                            n++;
                            i = m;
                            continue;
                        }
                    }
                    if (op == '<' || op == '>' || op == '≤' || op == '≥') {
                        n++;
                        i = k + 1;
                        continue;
                    }
                }
                i = j;
                continue;
            }
            if (tokenStart && isAsciiLetter(c) && (i + 1 >= len || !Character.isLetterOrDigit(t.charAt(i + 1)))) {
                // a single letter: x^2, x = 4, x + 3 =, f(x) =
                int k = skipSpaces(t, i + 1);
                if (k < len) {
                    char op = t.charAt(k);
                    int m = skipSpaces(t, k + 1);
                    if (op == '^' && m < len && Character.isDigit(t.charAt(m))) {
                        n++;
                        i = m;
                        continue;
                    }
                    if (op == '=' && m < len && (Character.isDigit(t.charAt(m))
                            || (t.charAt(m) == '-' && m + 1 < len && Character.isDigit(t.charAt(m + 1))))) {
                        n++;
                        i = m + 1;
                        continue;
                    }
                    if ((op == '+' || op == '-') && m < len && Character.isDigit(t.charAt(m))) {
                        int e = m;
                        while (e < len && Character.isDigit(t.charAt(e))) {
                            e++;
                        }
                        e = skipSpaces(t, e);
                        if (e < len && t.charAt(e) == '=') {
                            n++;
                            i = e + 1;
                            continue;
                        }
                    }
                    if (op == '(' && m < len && isAsciiLetter(t.charAt(m))) {
                        int e = skipSpaces(t, m + 1);
                        if (e < len && t.charAt(e) == ')') {
                            e = skipSpaces(t, e + 1);
                            if (e < len && t.charAt(e) == '=') {
                                n++;
                                i = e + 1;
                                continue;
                            }
                        }
                    }
                }
            }
            i++;
        }
        return n;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static int skipSpaces(String t, int i) {
        while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Cheap pre-check: prose made of letters, spaces and ordinary punctuation is never code. */
    private static boolean maybeCode(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (";{}()=<>:@/#$*[]|&+\"".indexOf(c) >= 0) {
                return true;
            }
        }
        String head = text.substring(from, Math.min(to, from + 16)).stripLeading();
        return head.startsWith("def ") || head.startsWith("class ") || head.startsWith("import ")
                || head.startsWith("from ") || head.startsWith("SELECT ") || head.startsWith(">>> ");
    }

    /** Big-O constraints such as O(n log n). */
    private static int bigO(String text) {
        int n = 0;
        int i = text.indexOf("O(");
        while (i >= 0) {
            if (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1))) {
                int close = text.indexOf(')', i);
                if (close > i && close - i <= 22) {
                    n++;
                }
            }
            i = text.indexOf("O(", i + 2);
        }
        return n;
    }

    /** Creative-writing markers plus creative forms (poem, toast, …) shortly after "write" or "compose". */
    static int creative(String[] tokens) {
        int n = CREATIVE.count(tokens);
        for (int i = 0; i < tokens.length; i++) {
            if (CREATIVE_FORMS.contains(tokens[i])) {
                for (int j = Math.max(0, i - 6); j < i; j++) {
                    if (tokens[j].equals("write") || tokens[j].equals("compose")) {
                        n++;
                        break;
                    }
                }
            }
        }
        return n;
    }

    /** "!!", emoticons and emoji. */
    static int personalPunctuation(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
            if (c == '!' && next == '!') {
                n++;
                while (i + 1 < text.length() && text.charAt(i + 1) == '!') {
                    i++;
                }
            } else if ((c == ':' || c == ';') && (next == ')' || next == '(' || next == 'D')) {
                n++;
                i++;
            } else if (c == '<' && next == '3') {
                n++;
                i++;
            } else if (Character.isHighSurrogate(c)) {
                int cp = text.codePointAt(i);
                if (cp >= 0x1F300 && cp <= 0x1FAFF) {
                    n++;
                }
                i++;
            }
        }
        return n;
    }

    /** The part of a message that is analysed: all of it, or its head and tail when longer than the cap. */
    static String analysed(String s) {
        if (s.length() <= ANALYSED_CHARS) {
            return s;
        }
        return s.substring(0, ANALYSED_CHARS - ANALYSED_TAIL) + "\n" + s.substring(s.length() - ANALYSED_TAIL);
    }

    /**
     * The part of a message that states the task, for the difficulty markers: all of it up to
     * {@link #INSTRUCTION_CHARS}, else its head and tail (a pasted document's instruction sits before or after it,
     * and the document's own wording says nothing about how hard the task is).
     */
    static String instruction(String s) {
        if (s.length() <= INSTRUCTION_CHARS) {
            return s;
        }
        int half = INSTRUCTION_CHARS * 3 / 8;
        return s.substring(0, half) + "\n" + s.substring(s.length() - half);
    }

    /** The text that stands for a message in nearest-neighbour lookups. */
    public static String excerpt(String s) {
        String t = s.strip();
        if (t.length() <= EXCERPT_CHARS) {
            return t;
        }
        int head = EXCERPT_CHARS * 7 / 12;
        int tail = EXCERPT_CHARS - head;
        return t.substring(0, head) + " … " + t.substring(t.length() - tail);
    }

    /** Numbers in the text (17, 3.5, 5,000), not counting years (1500–2099) or digits inside words (x86). */
    static int numbers(String text) {
        int n = 0;
        int len = text.length();
        int i = 0;
        while (i < len) {
            char c = text.charAt(i);
            if (!Character.isDigit(c)) {
                i++;
                continue;
            }
            boolean wordBefore = i > 0 && Character.isLetter(text.charAt(i - 1));
            int j = i;
            int intDigits = 0;
            boolean plain = true;
            while (j < len) {
                char d = text.charAt(j);
                if (Character.isDigit(d)) {
                    j++;
                    intDigits++;
                } else if ((d == ',' || d == '.') && j + 1 < len && Character.isDigit(text.charAt(j + 1))) {
                    plain = false;
                    j++;
                } else {
                    break;
                }
            }
            boolean wordAfter = j < len && Character.isLetter(text.charAt(j));
            if (!wordBefore && !wordAfter) {
                boolean year = plain && intDigits == 4 && isYear(text, i);
                if (!year) {
                    n++;
                }
            }
            i = j;
        }
        return n;
    }

    private static boolean isYear(String text, int at) {
        int y = Integer.parseInt(text.substring(at, at + 4));
        return y >= 1500 && y <= 2099;
    }

    static int count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static int words(String s) {
        int n = 0;
        boolean in = false;
        for (int i = 0; i < s.length(); i++) {
            boolean ws = Character.isWhitespace(s.charAt(i));
            if (!ws && !in) {
                n++;
            }
            in = !ws;
        }
        return n;
    }
}
