package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes what a fake model answers: English prose from a word-level Markov chain over {@link Corpus} (biased to the
 * prompt's topic), correct little functions when asked for code, worked arithmetic, JSON matching a requested schema —
 * or, when the prompt is beyond the model's capability, what a weak model gives: drifting low-confidence prose, a
 * phrase repeated in a loop, an answer that stops after a few tokens, broken JSON.
 */
final class TextComposer {

    enum Mode { CONFIDENT, LOW_CONFIDENCE, REPETITION, EARLY_STOP, BROKEN_JSON }

    /**
     * @param main   the natural answer, ending where the model would emit end-of-sequence
     * @param filler more text, one segment per call, for generation past the natural end ({@code ignore_eos})
     */
    record Script(String main, Supplier<String> filler, Mode mode, double severity) {
    }

    /**
     * @param seed       everything random in the answer derives from it (model, prompt, sampling seed, salt)
     * @param chat       an assistant turn (starts a fresh answer) rather than a raw continuation of {@code prompt}
     * @param prompt     the raw prompt text, for continuation
     * @param jsonSchema a JSON schema the answer must satisfy, or null
     * @param json       JSON output requested (json_object, json_schema, or a grammar)
     */
    record Input(PromptAnalysis analysis, double capability, long seed, boolean chat, String prompt,
            JsonNode jsonSchema, boolean json) {
    }

    private static final Chain CHAIN = new Chain();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int LOOP_CHARS = 1600;
    private static final Pattern ARITH = Pattern.compile(
            "(-?\\d+(?:\\.\\d+)?)\\s*(\\+|-|\\*|/|x|×|÷|plus|minus|times|multiplied by|divided by)\\s*(-?\\d+(?:\\.\\d+)?)");

    private TextComposer() {
    }

    static Script compose(Input in) {
        PromptAnalysis a = in.analysis();
        double severity = PromptAnalysis.severity(a.margin(in.capability()));
        SplittableRandom rnd = new SplittableRandom(in.seed());
        int topic = CHAIN.topicIndex(a.topic().name());
        String prompt = in.prompt() == null ? "" : in.prompt();
        String lead = in.chat() ? "" : leadFor(prompt, a.kind != PromptAnalysis.Kind.PROSE
                && a.kind != PromptAnalysis.Kind.GREETING);

        Mode mode = Mode.CONFIDENT;
        if (severity > 0) {
            double u = Hashing.unit(Hashing.of("weak-mode", in.seed()));
            if (in.json()) {
                mode = u < 0.5 + 0.45 * severity ? Mode.BROKEN_JSON : Mode.LOW_CONFIDENCE;
            } else {
                double pRep = 0.12 + 0.45 * severity;
                double pEarly = 0.10 + 0.30 * severity;
                mode = u < pRep ? Mode.REPETITION : u < pRep + pEarly ? Mode.EARLY_STOP : Mode.LOW_CONFIDENCE;
            }
        }
        boolean code = a.kind == PromptAnalysis.Kind.CODE && !in.json();
        Supplier<String> prose = () -> " " + CHAIN.sentence(rnd, pickTopic(rnd, topic, severity), bias(severity));

        switch (mode) {
            case REPETITION -> {
                if (code) {
                    String line = CodeTemplates.loopLine(a.language);
                    String head = (in.chat() ? "```" + a.language + "\n" : lead)
                            + CodeTemplates.signature(a.language, CodeTemplates.op(a.words)) + "\n";
                    return new Script(head + repeat(line, LOOP_CHARS), () -> line, mode, severity);
                }
                String sentence = CHAIN.sentence(rnd, pickTopic(rnd, topic, severity), bias(severity));
                String[] words = sentence.split(" ");
                int n = Math.min(words.length, 4 + rnd.nextInt(5));
                String phrase = String.join(" ", List.of(words).subList(0, n)).replaceAll("[.!?]$", "");
                String loop = " " + lowerFirst(phrase);
                return new Script(lead + phrase + repeat(loop, LOOP_CHARS), () -> loop, mode, severity);
            }
            case EARLY_STOP -> {
                String main;
                if (code) {
                    main = (in.chat() ? "```" + a.language + "\n" : lead)
                            + CodeTemplates.signature(a.language, CodeTemplates.op(a.words));
                } else if (rnd.nextInt(3) == 0) {
                    main = lead + "I am not sure.";
                } else {
                    String sentence = CHAIN.sentence(rnd, pickTopic(rnd, topic, severity), bias(severity));
                    String[] words = sentence.split(" ");
                    int n = Math.min(words.length, 2 + rnd.nextInt(3));
                    main = lead + String.join(" ", List.of(words).subList(0, n)).replaceAll("[,;:]$", "") + ".";
                }
                return new Script(main, prose, mode, severity);
            }
            default -> {
                // CONFIDENT, LOW_CONFIDENCE, BROKEN_JSON: a full answer (broken afterwards for BROKEN_JSON)
            }
        }

        String main;
        if (in.json()) {
            String json = json(in, rnd, topic, severity);
            if (mode == Mode.BROKEN_JSON) {
                json = breakJson(json, rnd);
            }
            main = (in.chat() ? "" : lead) + json;
        } else if (code) {
            main = lead + codeAnswer(a, in.chat(), rnd, severity);
        } else if (a.kind == PromptAnalysis.Kind.MATH) {
            main = lead + mathAnswer(a, rnd, topic, severity);
        } else if (a.kind == PromptAnalysis.Kind.GREETING && in.chat()) {
            main = Corpus.GREETINGS.get(rnd.nextInt(Corpus.GREETINGS.size()));
        } else {
            main = proseAnswer(a, in.chat(), prompt, lead, rnd, topic, severity);
        }
        return new Script(main, prose, mode, severity);
    }

    private static String leadFor(String prompt, boolean block) {
        if (prompt.isEmpty()) {
            return "";
        }
        char last = prompt.charAt(prompt.length() - 1);
        if (last == '\n') {
            return "";
        }
        if (block) {
            return "\n\n";
        }
        return Character.isWhitespace(last) ? "" : " ";
    }

    private static double bias(double severity) {
        return severity > 0 ? 1.5 : 12.0;
    }

    private static int pickTopic(SplittableRandom rnd, int topic, double severity) {
        if (severity > 0 && rnd.nextDouble() < 0.6 * severity) {
            return rnd.nextInt(Corpus.TOPICS.size());
        }
        return topic;
    }

    private static String repeat(String unit, int chars) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < chars) {
            sb.append(unit);
        }
        return sb.toString();
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && !Character.isUpperCase(s.charAt(1))
                && !s.startsWith("I ")) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    private static String hedged(String sentence, SplittableRandom rnd) {
        String hedge = Corpus.HEDGES.get(rnd.nextInt(Corpus.HEDGES.size()));
        return hedge + " " + lowerFirst(sentence);
    }

    private static int sentenceCount(PromptAnalysis a, SplittableRandom rnd) {
        if (a.brief) {
            return 1 + (rnd.nextInt(10) < 3 ? 1 : 0);
        }
        int n = 2 + rnd.nextInt(3);
        if (a.difficulty > 0.45) {
            n += 1 + rnd.nextInt(2);
        }
        return n;
    }

    private static String proseAnswer(PromptAnalysis a, boolean chat, String prompt, String lead,
            SplittableRandom rnd, int topic, double severity) {
        StringBuilder sb = new StringBuilder();
        List<String> used = new ArrayList<>();
        if (!chat) {
            String cont = CHAIN.continuation(prompt, rnd, topic, bias(severity));
            if (cont != null) {
                sb.append(cont);
            }
        }
        boolean first = sb.length() == 0;
        if (a.stepByStep && !a.brief) {
            sb.append(first ? (chat || lead.isEmpty() ? "" : "\n\n") : "\n\n");
            sb.append("Here is how to approach it step by step.\n");
            int steps = 3 + rnd.nextInt(3);
            for (int i = 1; i <= steps; i++) {
                String s = fresh(rnd, topic, severity, used);
                sb.append('\n').append(i).append(". ").append(severity > 0 && rnd.nextInt(3) == 0 ? hedged(s, rnd) : s);
            }
            sb.append("\n\n").append(fresh(rnd, topic, severity, used));
            return sb.toString();
        }
        int n = sentenceCount(a, rnd);
        for (int i = 0; i < n; i++) {
            String s = fresh(rnd, topic, severity, used);
            if (severity > 0 && rnd.nextInt(3) == 0) {
                s = hedged(s, rnd);
            }
            sb.append(first ? (chat ? "" : lead) : (chat && i > 0 && i % 3 == 0 ? "\n\n" : " ")).append(s);
            first = false;
        }
        return sb.toString();
    }

    private static String fresh(SplittableRandom rnd, int topic, double severity, List<String> used) {
        String s = null;
        for (int attempt = 0; attempt < 6; attempt++) {
            s = CHAIN.sentence(rnd, pickTopic(rnd, topic, severity), bias(severity));
            String head = head(s);
            if (used.stream().noneMatch(u -> head(u).equals(head))) {
                break;
            }
        }
        used.add(s);
        return s;
    }

    private static String head(String sentence) {
        String[] w = sentence.split(" ", 4);
        return String.join(" ", List.of(w).subList(0, Math.min(3, w.length)));
    }

    private static final List<String> CODE_INTROS = List.of(
            "Here is a simple implementation in %s.",
            "Here is a %s function that does this.",
            "You can do this with a short %s function.",
            "The following %s code solves the problem.");
    private static final List<String> CODE_OUTROS = List.of(
            "The function returns the result instead of printing it, so it is easy to test.",
            "Edge cases such as an empty list or a missing value deserve their own tests.",
            "The code handles an empty input by returning early.",
            "This implementation runs in linear time and uses constant extra memory.",
            "A function should do one thing and have a name that says what it does.");

    private static String codeAnswer(PromptAnalysis a, boolean chat, SplittableRandom rnd, double severity) {
        String lang = a.language;
        String code = CodeTemplates.code(lang, CodeTemplates.op(a.words));
        StringBuilder sb = new StringBuilder();
        String intro = String.format(Locale.ROOT, CODE_INTROS.get(rnd.nextInt(CODE_INTROS.size())),
                CodeTemplates.displayName(lang));
        sb.append(severity > 0 ? hedged(intro, rnd) : intro).append("\n\n");
        sb.append("```").append(lang).append('\n').append(code);
        if (!code.endsWith("\n")) {
            sb.append('\n');
        }
        sb.append("```\n\n");
        sb.append(CODE_OUTROS.get(rnd.nextInt(CODE_OUTROS.size())));
        if (rnd.nextBoolean()) {
            sb.append(' ').append(CHAIN.sentence(rnd, CHAIN.topicIndex("programming"), bias(severity)));
        }
        return sb.toString();
    }

    private static String mathAnswer(PromptAnalysis a, SplittableRandom rnd, int topic, double severity) {
        StringBuilder sb = new StringBuilder("Let's work through this step by step.\n\n");
        Matcher m = ARITH.matcher(a.text.toLowerCase(Locale.ROOT));
        if (m.find()) {
            double x = Double.parseDouble(m.group(1));
            double y = Double.parseDouble(m.group(3));
            String op = m.group(2);
            double r;
            String verb;
            String sym;
            switch (op) {
                case "+", "plus" -> { r = x + y; verb = "add"; sym = "+"; }
                case "-", "minus" -> { r = x - y; verb = "subtract the second from the first of"; sym = "-"; }
                case "*", "x", "×", "times", "multiplied by" -> { r = x * y; verb = "multiply"; sym = "*"; }
                default -> { r = y == 0 ? Double.NaN : x / y; verb = "divide"; sym = "/"; }
            }
            if (severity > 0 && rnd.nextBoolean()) {
                r += 1 + rnd.nextInt(9);
            }
            sb.append("First, we take ").append(num(x)).append(" and ").append(num(y)).append(".\n");
            sb.append("Then we ").append(verb).append(" them: ").append(num(x)).append(' ').append(sym).append(' ')
                    .append(num(y)).append(" = ").append(num(r)).append(".\n\n");
            sb.append("So the answer is ").append(num(r)).append('.');
            return sb.toString();
        }
        int n = 2 + rnd.nextInt(2);
        List<String> used = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(fresh(rnd, topic, severity, used));
        }
        boolean proof = a.words.contains("prove") || a.words.contains("proof") || a.words.contains("theorem");
        sb.append("\n\n").append(proof ? "This completes the proof." : "So that is the answer.");
        return sb.toString();
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "undefined";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
    }

    // ---------------------------------------------------------------- JSON

    private static String json(Input in, SplittableRandom rnd, int topic, double severity) {
        JsonNode schema = in.jsonSchema();
        JsonNode value;
        if (schema != null && schema.isObject() && !schema.isEmpty()) {
            value = valueFor(schema, "answer", rnd, topic, severity, 0);
        } else {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("answer", CHAIN.sentence(rnd, topic, bias(severity)));
            o.put("confidence", severity > 0 ? round2(0.3 + 0.3 * rnd.nextDouble()) : round2(0.8 + 0.19 * rnd.nextDouble()));
            ArrayNode topics = o.putArray("topics");
            topics.add(Corpus.TOPICS.get(topic).name());
            value = o;
        }
        try {
            return MAPPER.writeValueAsString(value);
        } catch (Exception e) {
            return "{}";
        }
    }

    private static JsonNode valueFor(JsonNode schema, String name, SplittableRandom rnd, int topic, double severity,
            int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (schema.has("const")) {
            return schema.get("const");
        }
        JsonNode en = schema.get("enum");
        if (en != null && en.isArray() && en.size() > 0) {
            return en.get(rnd.nextInt(en.size()));
        }
        for (String combo : new String[] {"anyOf", "oneOf", "allOf"}) {
            JsonNode alts = schema.get(combo);
            if (alts != null && alts.isArray() && alts.size() > 0) {
                return valueFor(alts.get(0), name, rnd, topic, severity, depth + 1);
            }
        }
        String type = typeOf(schema);
        switch (type) {
            case "object" -> {
                ObjectNode o = f.objectNode();
                JsonNode props = schema.get("properties");
                List<String> keys = new ArrayList<>();
                JsonNode req = schema.get("required");
                if (req != null && req.isArray()) {
                    req.forEach(r -> keys.add(r.asText()));
                }
                if (props != null && props.isObject()) {
                    Iterator<String> it = props.fieldNames();
                    while (it.hasNext()) {
                        String k = it.next();
                        if (!keys.contains(k) && (keys.isEmpty() || rnd.nextBoolean())) {
                            keys.add(k);
                        }
                    }
                }
                if (depth > 6) {
                    return o;
                }
                for (String k : keys) {
                    JsonNode ps = props != null && props.has(k) ? props.get(k) : f.objectNode();
                    o.set(k, valueFor(ps, k, rnd, topic, severity, depth + 1));
                }
                return o;
            }
            case "array" -> {
                ArrayNode arr = f.arrayNode();
                JsonNode items = schema.has("items") ? schema.get("items") : f.objectNode();
                int min = schema.path("minItems").asInt(1);
                int max = schema.path("maxItems").asInt(Math.max(min, 3));
                int n = Math.max(min, Math.min(max, 1 + rnd.nextInt(3)));
                for (int i = 0; i < n && depth <= 6; i++) {
                    arr.add(valueFor(items, singular(name), rnd, topic, severity, depth + 1));
                }
                return arr;
            }
            case "integer" -> {
                int lo = schema.path("minimum").asInt(0);
                int hi = schema.path("maximum").asInt(Math.max(lo + 1, 100));
                return f.numberNode(lo + rnd.nextInt(Math.max(1, hi - lo + 1)));
            }
            case "number" -> {
                if (name.contains("confidence") || name.contains("score") || name.contains("probability")) {
                    return f.numberNode(severity > 0 ? round2(0.3 + 0.3 * rnd.nextDouble())
                            : round2(0.8 + 0.19 * rnd.nextDouble()));
                }
                double lo = schema.path("minimum").asDouble(0);
                double hi = schema.path("maximum").asDouble(lo + 100);
                return f.numberNode(round2(lo + (hi - lo) * rnd.nextDouble()));
            }
            case "boolean" -> {
                return f.booleanNode(rnd.nextInt(3) != 0);
            }
            case "null" -> {
                return f.nullNode();
            }
            default -> {
                return f.textNode(stringFor(schema, name, rnd, topic, severity));
            }
        }
    }

    private static String typeOf(JsonNode schema) {
        JsonNode t = schema.get("type");
        if (t != null && t.isTextual()) {
            return t.asText();
        }
        if (t != null && t.isArray() && t.size() > 0) {
            for (JsonNode x : t) {
                if (!"null".equals(x.asText())) {
                    return x.asText();
                }
            }
            return t.get(0).asText();
        }
        if (schema.has("properties")) {
            return "object";
        }
        if (schema.has("items")) {
            return "array";
        }
        return "string";
    }

    private static String stringFor(JsonNode schema, String name, SplittableRandom rnd, int topic, double severity) {
        String format = schema.path("format").asText("");
        switch (format) {
            case "date" -> {
                return String.format(Locale.ROOT, "2024-%02d-%02d", 1 + rnd.nextInt(12), 1 + rnd.nextInt(28));
            }
            case "date-time" -> {
                return String.format(Locale.ROOT, "2024-%02d-%02dT%02d:00:00Z", 1 + rnd.nextInt(12),
                        1 + rnd.nextInt(28), rnd.nextInt(24));
            }
            case "email" -> {
                return "someone@example.com";
            }
            case "uri", "url" -> {
                return "https://example.com/" + Corpus.TOPICS.get(topic).name();
            }
            default -> {
                // plain text
            }
        }
        String sentence = CHAIN.sentence(rnd, topic, bias(severity));
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("name") || n.contains("title") || n.contains("label") || n.contains("tag")
                || n.contains("category") || n.contains("keyword")) {
            String[] w = sentence.replaceAll("[^A-Za-z ]", "").split(" ");
            int k = Math.min(w.length, 1 + rnd.nextInt(3));
            return String.join(" ", List.of(w).subList(0, k));
        }
        int maxLength = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        return sentence.length() > maxLength ? sentence.substring(0, maxLength) : sentence;
    }

    private static String singular(String name) {
        return name.endsWith("s") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Truncated, unterminated or unbalanced JSON, as weak models emit under a loose grammar. */
    static String breakJson(String json, SplittableRandom rnd) {
        switch (rnd.nextInt(3)) {
            case 0 -> {
                int cut = (int) (json.length() * (0.35 + 0.45 * rnd.nextDouble()));
                return json.substring(0, Math.max(1, Math.min(cut, json.length() - 1)));
            }
            case 1 -> {
                String s = json.endsWith("}") ? json.substring(0, json.length() - 1) : json;
                return s + ",";
            }
            default -> {
                return json.replaceFirst("\\{\"([A-Za-z_]+)\":", "{$1:") + "}";
            }
        }
    }

    // ---------------------------------------------------------------- Markov chain

    /** Order-2 word chain over the corpus; each transition remembers the topic of the sentence it came from. */
    static final class Chain {
        private record Next(String word, int topic) {
        }

        private final Map<String, List<Next>> order2 = new HashMap<>();
        private final Map<String, List<Next>> order1 = new HashMap<>();
        private final List<List<String[]>> starts = new ArrayList<>();

        Chain() {
            for (int t = 0; t < Corpus.TOPICS.size(); t++) {
                List<String[]> topicStarts = new ArrayList<>();
                for (String s : Corpus.TOPICS.get(t).sentences()) {
                    String[] w = s.split(" ");
                    if (w.length < 2) {
                        continue;
                    }
                    topicStarts.add(new String[] {w[0], w[1]});
                    for (int i = 0; i + 2 < w.length; i++) {
                        order2.computeIfAbsent(key(w[i], w[i + 1]), k -> new ArrayList<>()).add(new Next(w[i + 2], t));
                    }
                    for (int i = 0; i + 1 < w.length; i++) {
                        order1.computeIfAbsent(w[i].toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                                .add(new Next(w[i + 1], t));
                    }
                }
                starts.add(topicStarts);
            }
        }

        int topicIndex(String name) {
            for (int i = 0; i < Corpus.TOPICS.size(); i++) {
                if (Corpus.TOPICS.get(i).name().equals(name)) {
                    return i;
                }
            }
            return 0;
        }

        private static String key(String a, String b) {
            return a + '\u0001' + b;
        }

        private static boolean ends(String w) {
            return w.endsWith(".") || w.endsWith("!") || w.endsWith("?");
        }

        private static String pick(List<Next> options, int topic, double bias, SplittableRandom rnd) {
            double total = 0;
            for (Next n : options) {
                total += n.topic() == topic ? bias : 1.0;
            }
            double u = rnd.nextDouble() * total;
            for (Next n : options) {
                u -= n.topic() == topic ? bias : 1.0;
                if (u <= 0) {
                    return n.word();
                }
            }
            return options.get(options.size() - 1).word();
        }

        String sentence(SplittableRandom rnd, int topic, double bias) {
            List<String[]> s = starts.get(topic);
            String[] start = s.get(rnd.nextInt(s.size()));
            List<String> w = new ArrayList<>(List.of(start[0], start[1]));
            extend(w, rnd, topic, bias);
            return String.join(" ", w);
        }

        private void extend(List<String> w, SplittableRandom rnd, int topic, double bias) {
            while (!ends(w.get(w.size() - 1))) {
                if (w.size() >= 40) {
                    close(w);
                    return;
                }
                List<Next> options = order2.get(key(w.get(w.size() - 2), w.get(w.size() - 1)));
                if (options == null) {
                    close(w);
                    return;
                }
                w.add(pick(options, topic, bias, rnd));
            }
        }

        private static void close(List<String> w) {
            String last = w.get(w.size() - 1).replaceAll("[,;:]+$", "");
            w.set(w.size() - 1, last + ".");
        }

        /**
         * Continues the prompt's unfinished last sentence (returned with its leading space), or null when the prompt
         * ends a sentence or its last words are unknown to the chain.
         */
        String continuation(String prompt, SplittableRandom rnd, int topic, double bias) {
            String p = prompt.stripTrailing();
            if (p.isEmpty() || ends(p) || p.endsWith("\n") || p.endsWith(":")) {
                return null;
            }
            String[] w = p.split("\\s+");
            List<String> words = new ArrayList<>();
            int given;
            if (w.length >= 2 && order2.containsKey(key(w[w.length - 2], w[w.length - 1]))) {
                words.add(w[w.length - 2]);
                words.add(w[w.length - 1]);
                given = 2;
            } else {
                List<Next> next = order1.get(w[w.length - 1].toLowerCase(Locale.ROOT));
                if (next == null) {
                    return null;
                }
                words.add(w[w.length - 1]);
                words.add(pick(next, topic, bias, rnd));
                if (!order2.containsKey(key(words.get(0), words.get(1))) && !ends(words.get(1))) {
                    return null;
                }
                given = 1;
            }
            extend(words, rnd, topic, bias);
            List<String> added = words.subList(given, words.size());
            if (added.isEmpty()) {
                return null;
            }
            String sep = prompt.endsWith(" ") ? "" : " ";
            return sep + String.join(" ", added);
        }
    }
}
