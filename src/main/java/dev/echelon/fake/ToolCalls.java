package dev.echelon.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI-style tool calling, as llama-server ({@code --jinja}) answers it: whether the model calls one of the request's
 * {@code tools} (per {@code tool_choice} and how the user's last message relates to each tool), the arguments it fills
 * in from the function's JSON schema and the user's words, and — after a {@code tool} message — the sentence with
 * which the text answer takes up the tool's result. A model out of its depth sometimes emits malformed arguments.
 */
final class ToolCalls {

    /** One function the request offers ({@code tools[i].function}). */
    record Function(String name, String description, JsonNode parameters) {
    }

    /**
     * What the model does with the tools.
     *
     * @param call    the function it calls instead of answering in text, or null
     * @param preface a sentence that opens the text answer, taking up trailing tool results ("" when none)
     */
    record Decision(Function call, String preface) {
        static final Decision NONE = new Decision(null, "");
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final double OPTIONAL_P = 0.3;
    private static final int MAX_DEPTH = 6;

    /** Words too generic to tie a message to a tool. */
    private static final Set<String> GENERIC = Set.of("the", "and", "for", "with", "from", "this", "that", "into",
            "about", "given", "return", "returns", "current", "specified", "specific", "some", "when", "what", "which",
            "your", "user", "users", "using", "use", "used", "tool", "tools", "function", "functions", "value",
            "values", "data", "get", "gets", "set", "sets", "list", "lists", "fetch", "fetches", "retrieve",
            "retrieves", "find", "finds", "make", "makes", "create", "creates", "update", "updates", "delete", "run",
            "runs", "call", "calls", "look", "lookup", "provided", "provide", "provides", "information", "info",
            "based", "like", "such", "will", "should", "can", "may", "any", "all", "one", "each", "other", "more",
            "also", "only", "them", "they", "their", "there", "then", "than", "have", "has", "had", "are", "was",
            "were", "been", "being", "does", "not", "you", "its", "out", "how", "who", "why", "where", "please",
            "tell", "give", "show", "want", "need", "help", "know", "let", "me", "my");
    /** Message words that ask for what a tool word names, though they are other words. */
    private static final Map<String, List<String>> SYNONYMS = Map.of(
            "search", List.of("look", "lookup", "research", "google", "find"),
            "weather", List.of("temperature", "forecast", "rain", "raining", "sunny", "snow", "snowing", "windy",
                    "humid", "cold", "hot", "umbrella"),
            "time", List.of("clock", "timezone", "hour"),
            "email", List.of("mail", "e-mail", "inbox"),
            "calculate", List.of("compute", "sum", "plus", "minus", "times", "divided", "multiply"),
            "calculator", List.of("compute", "calculate", "sum", "plus", "minus", "times", "divided", "multiply"),
            "translate", List.of("translation", "french", "spanish", "german", "english"),
            "stock", List.of("share", "shares", "ticker", "price", "market"));
    private static final Set<String> ASK_VERBS = Set.of("use", "call", "invoke", "using", "run", "execute");
    private static final Set<String> TOOL_NOUNS = Set.of("tool", "tools", "function", "functions");
    /** Capitalised words that start sentences and questions rather than name things. */
    private static final Set<String> NOT_NAMES = Set.of("What", "Whats", "How", "Hows", "Please", "Can", "Could",
            "Would", "Will", "Should", "Tell", "Is", "Are", "Do", "Does", "Did", "I", "Im", "Ive", "Id", "Ill", "Hi",
            "Hello", "Hey", "The", "A", "An", "Give", "Show", "Find", "Get", "Use", "Call", "Search", "Look", "Check",
            "Who", "When", "Where", "Why", "Which", "Let", "Lets", "Me", "My", "It", "Its", "In", "On", "At", "For",
            "And", "Or", "But", "If", "So", "Then", "Now", "Thanks", "Thank", "Yes", "No", "Ok", "Okay", "This",
            "That", "There", "Here", "We", "You", "Your", "Our", "To", "From", "With", "Of", "By", "As", "Also",
            "Run", "Invoke", "Send", "Make", "Create", "Set", "Add", "Remove", "Delete", "Book", "Compute",
            "Calculate", "Convert", "Translate", "Explain", "Describe", "Write", "List", "Fetch", "Retrieve",
            "Weather", "Today", "Tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
            "Sunday");
    private static final Set<String> QUERY_NAMES = Set.of("query", "q", "text", "prompt", "question", "input",
            "message", "content", "search", "search_query", "searchquery", "sentence", "body", "instruction",
            "instructions", "request", "keywords", "keyword", "term", "terms");
    private static final List<String> ENTITY_HINTS = List.of("city", "location", "place", "country", "region",
            "address", "destination", "origin", "name", "person", "company", "title", "topic", "subject", "symbol",
            "ticker", "user", "recipient", "contact", "artist", "movie", "book", "team", "state", "town", "area",
            "airport", "station", "from", "to", "where", "venue", "product", "item", "brand", "author", "song",
            "film", "organization", "organisation", "entity", "target", "who", "owner", "repo", "project", "file");

    private static final Pattern WORDS = Pattern.compile("[a-z0-9]+");
    private static final Pattern CAPITALISED = Pattern.compile("[A-Z][A-Za-z0-9'\\-]*");
    private static final Pattern QUOTED = Pattern.compile(
            "\"([^\"]{1,200})\"|\u201c([^\u201d]{1,200})\u201d|(?<![A-Za-z])'([^']{1,200})'(?![A-Za-z])");
    /** A fenced code block: its info string (the language) and its body. */
    private static final Pattern FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_+#.-]*)[^\\n]*\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern INLINE_CODE = Pattern.compile("`([^`\\n]{1,400})`");
    /** Parameter names under which a model puts a program it was asked to run. */
    private static final Set<String> CODE_NAMES = Set.of("code", "program", "source", "source_code", "script",
            "snippet");
    /** Fence info strings that name one language differently. */
    private static final Map<String, String> LANGUAGE_ALIASES = Map.of("py", "python", "python3", "python",
            "bash", "sh", "shell", "sh", "zsh", "sh", "console", "sh");
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z0-9.])-?\\d+(?:\\.\\d+)?");
    private static final Pattern EXPRESSION = Pattern.compile(
            "[-(]?\\d+(?:\\.\\d+)?(?:\\s*[-+*/^x\u00d7\u00f7%]\\s*\\(?-?\\d+(?:\\.\\d+)?\\)?)+");

    private ToolCalls() {
    }

    // ================================================================ the request's tools

    /** The functions of a {@code tools} array (entries without a name are skipped). */
    static List<Function> functions(JsonNode tools) {
        List<Function> out = new ArrayList<>();
        if (tools == null || !tools.isArray()) {
            return out;
        }
        for (JsonNode t : tools) {
            if (t == null || !t.isObject()) {
                continue;
            }
            JsonNode fn = t.has("function") && t.get("function").isObject() ? t.get("function") : t;
            String name = fn.path("name").asText("");
            if (name.isBlank()) {
                continue;
            }
            JsonNode params = fn.get("parameters");
            out.add(new Function(name, fn.path("description").asText(""),
                    params != null && params.isObject() ? params : F.objectNode()));
        }
        return out;
    }

    /**
     * Decides, for a chat request, whether the model calls a tool: only when the conversation ends with a user
     * message, the request offers tools and {@code tool_choice} is not "none"; "required" or a named function always
     * calls, "auto" calls when the message relates to a tool. A conversation ending with tool results is answered in
     * text that takes them up.
     */
    static Decision decide(JsonNode body, JsonNode messages) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            return Decision.NONE;
        }
        JsonNode last = messages.get(messages.size() - 1);
        String role = role(last);
        if (role.equals("tool") || role.equals("function")) {
            return new Decision(null, preface(messages));
        }
        List<Function> fns = functions(body.get("tools"));
        if (!role.equals("user")) {
            return Decision.NONE;
        }
        JsonNode choice = body.get("tool_choice");
        String mode = "auto";
        String named = null;
        if (choice != null && choice.isTextual()) {
            mode = choice.asText().toLowerCase(Locale.ROOT);
        } else if (choice != null && choice.isObject()) {
            String n = choice.path("function").path("name").asText(choice.path("name").asText(""));
            if (!n.isBlank()) {
                named = n;
                mode = "required";
            } else if (choice.path("type").asText("").equals("none")) {
                mode = "none";
            }
        }
        if (mode.equals("none") || (fns.isEmpty() && named == null)) {
            return Decision.NONE;
        }
        if (named != null) {
            for (Function f : fns) {
                if (f.name().equals(named)) {
                    return new Decision(f, "");
                }
            }
            return new Decision(new Function(named, "", F.objectNode()), "");
        }
        String user = ChatTemplate.content(last);
        Function best = null;
        int bestScore = 0;
        for (Function f : fns) {
            int s = score(f, user);
            if (s > bestScore) {
                best = f;
                bestScore = s;
            }
        }
        boolean required = mode.equals("required") || mode.equals("any");
        if (best == null && required) {
            best = fns.get(0);
        }
        return best == null ? Decision.NONE : new Decision(best, "");
    }

    static String role(JsonNode message) {
        return message == null ? "user" : message.path("role").asText("user");
    }

    /** How strongly the message relates to the tool: its name, its description's words, a request to use a tool. */
    static int score(Function f, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        List<String> msgWords = words(lower);
        int score = 0;
        String name = f.name().toLowerCase(Locale.ROOT);
        if (name.length() >= 3 && lower.contains(name)) {
            score += 10;
        }
        boolean nameHit = false;
        for (String w : nameWords(f.name())) {
            if (w.length() >= 3 && !GENERIC.contains(w) && matches(msgWords, w)) {
                score += 3;
                nameHit = true;
            }
        }
        for (String w : new LinkedHashSet<>(words(f.description().toLowerCase(Locale.ROOT)))) {
            if (w.length() >= 4 && !GENERIC.contains(w) && matches(msgWords, w)) {
                score += 1;
            }
        }
        boolean asks = msgWords.stream().anyMatch(ASK_VERBS::contains);
        if (asks && (nameHit || msgWords.stream().anyMatch(TOOL_NOUNS::contains))) {
            score += 2;
        }
        return score;
    }

    private static List<String> words(String lower) {
        List<String> out = new ArrayList<>();
        Matcher m = WORDS.matcher(lower);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** A tool's name split into lower-case words: {@code get_current_weather}, {@code getWeather}, {@code web-search}. */
    static List<String> nameWords(String name) {
        String spaced = name.replaceAll("([a-z0-9])([A-Z])", "$1 $2");
        return words(spaced.toLowerCase(Locale.ROOT));
    }

    private static boolean matches(List<String> msgWords, String w) {
        List<String> alike = SYNONYMS.getOrDefault(w, List.of());
        for (String m : msgWords) {
            if (alike.contains(m)) {
                return true;
            }
            if (m.equals(w)) {
                return true;
            }
            String shorter = m.length() < w.length() ? m : w;
            String longer = m.length() < w.length() ? w : m;
            if (shorter.length() >= 4 && longer.startsWith(shorter)) {
                return true;
            }
        }
        return false;
    }

    // ================================================================ the call

    /** The tool call's id: {@code call_} and 24 letters and digits, derived from the generation seed. */
    static String callId(long seed) {
        SplittableRandom r = new SplittableRandom(Hashing.of("tool-call-id", seed));
        StringBuilder sb = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            sb.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
        }
        return sb.toString();
    }

    /**
     * What the model generates for a call: the arguments JSON (its tokens are what is streamed and counted), valid
     * for a capable model; a model out of its depth emits malformed arguments about as often as it breaks JSON.
     */
    static TextComposer.Script script(Function f, String userText, double severity, long seed) {
        String args = arguments(f, userText, seed);
        TextComposer.Mode mode = TextComposer.Mode.CONFIDENT;
        if (severity > 0) {
            double u = Hashing.unit(Hashing.of("tool-weak-mode", seed));
            mode = u < 0.5 + 0.45 * severity ? TextComposer.Mode.BROKEN_JSON : TextComposer.Mode.LOW_CONFIDENCE;
        }
        if (mode == TextComposer.Mode.BROKEN_JSON) {
            args = TextComposer.breakJson(args, new SplittableRandom(Hashing.of("tool-break", seed)));
        }
        SplittableRandom filler = new SplittableRandom(Hashing.of("tool-filler", seed));
        String[] pad = {" ", "\n", "}"};
        return new TextComposer.Script(args, () -> pad[filler.nextInt(pad.length)], mode, severity);
    }

    /** Valid arguments JSON for {@code f}, filled from the user's message; deterministic in message and seed. */
    static String arguments(Function f, String userText, long seed) {
        SplittableRandom rnd = new SplittableRandom(Hashing.of("tool-args", f.name(), seed));
        Extractor ex = new Extractor(userText == null ? "" : userText);
        JsonNode v = value(f.parameters(), "arguments", ex, rnd, 0);
        // a function's parameters are an object; a schema that says nothing else takes no arguments
        return LlamaJson.write(v.isObject() ? v : F.objectNode());
    }

    private static JsonNode value(JsonNode schema, String name, Extractor ex, SplittableRandom rnd, int depth) {
        if (schema == null || !schema.isObject()) {
            return F.textNode(ex.word(name));
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        JsonNode en = schema.get("enum");
        if (en != null && en.isArray() && en.size() > 0) {
            // a model asked to run a fenced block names the block's language
            String fenced = ex.fenceLanguage();
            for (JsonNode e : en) {
                if (fenced != null && e.isTextual() && e.asText().equalsIgnoreCase(fenced)) {
                    return e;
                }
            }
            for (JsonNode e : en) {
                if (e.isTextual() && !e.asText().isBlank() && ex.lower.contains(e.asText().toLowerCase(Locale.ROOT))) {
                    return e;
                }
            }
            return en.get(0);
        }
        for (String combo : new String[] {"anyOf", "oneOf", "allOf"}) {
            JsonNode alts = schema.get(combo);
            if (alts != null && alts.isArray() && alts.size() > 0) {
                for (JsonNode alt : alts) {
                    if (!"null".equals(alt.path("type").asText())) {
                        return value(alt, name, ex, rnd, depth + 1);
                    }
                }
                return F.nullNode();
            }
        }
        switch (typeOf(schema)) {
            case "object" -> {
                ObjectNode o = F.objectNode();
                if (depth > MAX_DEPTH) {
                    return o;
                }
                JsonNode props = schema.get("properties");
                List<String> keys = new ArrayList<>();
                JsonNode req = schema.get("required");
                if (req != null && req.isArray()) {
                    req.forEach(r -> {
                        if (r.isTextual() && !keys.contains(r.asText())) {
                            keys.add(r.asText());
                        }
                    });
                }
                List<String> ordered = new ArrayList<>();
                if (props != null && props.isObject()) {
                    Iterator<String> it = props.fieldNames();
                    while (it.hasNext()) {
                        String k = it.next();
                        if (keys.contains(k) || rnd.nextDouble() < OPTIONAL_P) {
                            ordered.add(k);
                        }
                    }
                }
                for (String k : keys) {
                    if (!ordered.contains(k)) {
                        ordered.add(k);
                    }
                }
                for (String k : ordered) {
                    JsonNode ps = props != null && props.has(k) ? props.get(k) : F.objectNode();
                    o.set(k, value(ps, k, ex, rnd, depth + 1));
                }
                return o;
            }
            case "array" -> {
                ArrayNode a = F.arrayNode();
                if (depth <= MAX_DEPTH) {
                    JsonNode items = schema.has("items") ? schema.get("items") : F.objectNode();
                    int n = Math.max(1, schema.path("minItems").asInt(1));
                    for (int i = 0; i < Math.min(n, 8); i++) {
                        a.add(value(items, singular(name), ex, rnd, depth + 1));
                    }
                }
                return a;
            }
            case "integer" -> {
                return F.numberNode(Math.round(ex.number(schema, name, true)));
            }
            case "number" -> {
                double d = ex.number(schema, name, false);
                return d == Math.rint(d) && Math.abs(d) < 1e15 ? F.numberNode((long) d) : F.numberNode(d);
            }
            case "boolean" -> {
                return F.booleanNode(true);
            }
            case "null" -> {
                return F.nullNode();
            }
            default -> {
                return F.textNode(ex.string(schema, name, rnd));
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
            return "null";
        }
        if (schema.has("properties")) {
            return "object";
        }
        if (schema.has("items")) {
            return "array";
        }
        return "string";
    }

    private static String singular(String name) {
        if (name.endsWith("ies") && name.length() > 3) {
            return name.substring(0, name.length() - 3) + "y";
        }
        return name.endsWith("s") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
    }

    /** Values taken from the user's message, each handed out once where there are several. */
    private static final class Extractor {
        final String text;
        final String lower;
        final List<String> quoted = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<Double> numbers = new ArrayList<>();
        /** Fenced code blocks as (language, body); the language is "" when the fence names none. */
        final List<String[]> fences = new ArrayList<>();
        final List<String> salient = new ArrayList<>();
        int nextQuoted;
        int nextName;
        int nextNumber;
        int nextSalient;

        Extractor(String text) {
            this.text = text.strip();
            this.lower = this.text.toLowerCase(Locale.ROOT);
            Matcher fence = FENCE.matcher(this.text);
            while (fence.find()) {
                String lang = fence.group(1).toLowerCase(Locale.ROOT);
                fences.add(new String[] {LANGUAGE_ALIASES.getOrDefault(lang, lang), fence.group(2)});
            }
            Matcher q = QUOTED.matcher(this.text);
            while (q.find()) {
                for (int g = 1; g <= 3; g++) {
                    if (q.group(g) != null && !q.group(g).isBlank()) {
                        quoted.add(q.group(g).strip());
                    }
                }
            }
            String unquoted = QUOTED.matcher(this.text).replaceAll(" ");
            Matcher c = CAPITALISED.matcher(unquoted);
            StringBuilder run = new StringBuilder();
            int runEnd = -1;
            while (c.find()) {
                String w = c.group().replaceAll("'s$", "").replaceAll("['\\-]+$", "");
                boolean name = !w.isEmpty() && !NOT_NAMES.contains(w.replace("'", ""));
                if (!name) {
                    flush(run);
                    runEnd = -1;
                    continue;
                }
                boolean adjacent = runEnd >= 0 && unquoted.substring(runEnd, c.start()).equals(" ");
                if (!adjacent) {
                    flush(run);
                }
                run.append(run.length() == 0 ? "" : " ").append(w);
                runEnd = c.end();
            }
            flush(run);
            Matcher n = NUMBER.matcher(unquoted);
            while (n.find()) {
                try {
                    numbers.add(Double.parseDouble(n.group()));
                } catch (NumberFormatException e) {
                    // not a number after all
                }
            }
            List<String> ws = new ArrayList<>(words(lower));
            ws.removeIf(w -> w.length() < 4 || GENERIC.contains(w) || w.chars().allMatch(Character::isDigit));
            ws.sort((a, b) -> b.length() - a.length());
            for (String w : ws) {
                if (!salient.contains(w)) {
                    salient.add(w);
                }
            }
        }

        private void flush(StringBuilder run) {
            if (run.length() > 0) {
                String s = run.toString();
                if (!names.contains(s)) {
                    names.add(s);
                }
                run.setLength(0);
            }
        }

        String string(JsonNode schema, String name, SplittableRandom rnd) {
            String n = name.toLowerCase(Locale.ROOT);
            String format = schema.path("format").asText("");
            int maxLength = schema.path("maxLength").asInt(Integer.MAX_VALUE);
            String v;
            if (format.equals("date") || (n.contains("date") && format.isEmpty())) {
                v = String.format(Locale.ROOT, "2024-%02d-%02d", 1 + rnd.nextInt(12), 1 + rnd.nextInt(28));
            } else if (format.equals("date-time")) {
                v = String.format(Locale.ROOT, "2024-%02d-%02dT%02d:00:00Z", 1 + rnd.nextInt(12),
                        1 + rnd.nextInt(28), rnd.nextInt(24));
            } else if (format.equals("email") || n.contains("email")) {
                v = "someone@example.com";
            } else if (format.equals("uri") || format.equals("url") || n.equals("url") || n.endsWith("_url")
                    || n.equals("uri") || n.equals("link")) {
                v = "https://example.com/" + word(name);
            } else if (CODE_NAMES.contains(n) || n.endsWith("_code")) {
                v = code();
            } else if (n.contains("expression") || n.contains("formula") || n.contains("equation")) {
                Matcher m = EXPRESSION.matcher(text);
                v = m.find() ? m.group().strip() : query();
            } else if (QUERY_NAMES.contains(n) || n.endsWith("_query") || n.endsWith("query") || n.endsWith("_text")) {
                v = query();
            } else if (n.equals("unit") || n.equals("units") || n.endsWith("_unit")) {
                v = lower.contains("fahrenheit") ? "fahrenheit" : lower.contains("imperial") ? "imperial"
                        : "celsius";
            } else if (n.equals("language") || n.equals("lang") || n.endsWith("_language") || n.equals("locale")) {
                v = "en";
            } else if (n.equals("id") || n.endsWith("_id") || n.endsWith("id") && n.length() > 2
                    && Character.isUpperCase(name.charAt(name.length() - 2))) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 8; i++) {
                    sb.append(ALNUM.charAt(26 + rnd.nextInt(36)));
                }
                v = sb.toString().toLowerCase(Locale.ROOT);
            } else if (entityLike(n)) {
                v = entity(name);
            } else {
                v = word(name);
            }
            return v.length() > maxLength ? v.substring(0, Math.max(0, maxLength)) : v;
        }

        private static boolean entityLike(String n) {
            for (String h : ENTITY_HINTS) {
                if (n.equals(h) || n.contains(h) && h.length() >= 4) {
                    return true;
                }
            }
            return false;
        }

        /** The language of the first fenced block, or null when there is none or it names none. */
        String fenceLanguage() {
            return fences.isEmpty() || fences.get(0)[0].isEmpty() ? null : fences.get(0)[0];
        }

        /**
         * The program the user wants run: the first fenced block's body as written, else inline code in backticks,
         * else the message itself (a model that is asked to run code it was not shown writes its own).
         */
        String code() {
            if (!fences.isEmpty()) {
                return fences.get(0)[1];
            }
            Matcher inline = INLINE_CODE.matcher(text);
            return inline.find() ? inline.group(1) : query();
        }

        /** The text to search for: what the user quoted, or the whole message. */
        String query() {
            if (!quoted.isEmpty()) {
                return quoted.get(Math.min(nextQuoted, quoted.size() - 1));
            }
            return text.isEmpty() ? "example" : text;
        }

        /** A quoted phrase or a capitalised name from the message, else a plausible word. */
        String entity(String name) {
            if (nextQuoted < quoted.size()) {
                return quoted.get(nextQuoted++);
            }
            if (nextName < names.size()) {
                return names.get(nextName++);
            }
            if (!names.isEmpty()) {
                return names.get(names.size() - 1);
            }
            return word(name);
        }

        /** A short plausible word: the message's most telling word, else one suggested by the property name. */
        String word(String name) {
            if (nextSalient < salient.size()) {
                return salient.get(nextSalient++);
            }
            if (!salient.isEmpty()) {
                return salient.get(0);
            }
            String n = name.toLowerCase(Locale.ROOT);
            if (n.contains("city") || n.contains("location") || n.contains("place")) {
                return "London";
            }
            if (n.contains("name")) {
                return "Alex";
            }
            return "example";
        }

        /** A number the message mentions (within the schema's bounds), else a default suited to the name. */
        double number(JsonNode schema, String name, boolean integer) {
            double v;
            if (nextNumber < numbers.size()) {
                v = numbers.get(nextNumber++);
            } else {
                String n = name.toLowerCase(Locale.ROOT);
                if (n.contains("limit") || n.contains("count") || n.contains("max") || n.contains("top")
                        || n.contains("results") || n.equals("n") || n.contains("size") || n.startsWith("num")) {
                    v = 5;
                } else if (n.contains("year")) {
                    v = 2024;
                } else if (n.contains("day")) {
                    v = 3;
                } else if (n.contains("lat")) {
                    v = 48.8566;
                } else if (n.contains("lon") || n.contains("lng")) {
                    v = 2.3522;
                } else {
                    v = 1;
                }
            }
            if (schema.path("minimum").isNumber()) {
                v = Math.max(v, schema.get("minimum").asDouble());
            }
            if (schema.path("exclusiveMinimum").isNumber() && v <= schema.get("exclusiveMinimum").asDouble()) {
                v = schema.get("exclusiveMinimum").asDouble() + 1;
            }
            if (schema.path("maximum").isNumber()) {
                v = Math.min(v, schema.get("maximum").asDouble());
            }
            if (schema.path("exclusiveMaximum").isNumber() && v >= schema.get("exclusiveMaximum").asDouble()) {
                v = schema.get("exclusiveMaximum").asDouble() - 1;
            }
            return integer ? Math.rint(v) : v;
        }
    }

    // ================================================================ after the tool ran

    /**
     * The sentence(s) that open a text answer after tool results: they restate the values the trailing
     * {@code tool} messages returned ("According to get_weather, the temperature is 18 and the condition is sunny.").
     */
    static String preface(JsonNode messages) {
        List<JsonNode> results = new ArrayList<>();
        for (int i = messages.size() - 1; i >= 0; i--) {
            String r = role(messages.get(i));
            if (!r.equals("tool") && !r.equals("function")) {
                break;
            }
            results.add(0, messages.get(i));
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : results.subList(0, Math.min(3, results.size()))) {
            String name = toolName(messages, m);
            String s = describe(name, ChatTemplate.content(m));
            sb.append(sb.length() == 0 ? "" : " ").append(s);
        }
        return sb.toString();
    }

    /** The name of the tool whose result {@code m} is: its own {@code name}, or the call its id answers. */
    static String toolName(JsonNode messages, JsonNode m) {
        String name = m.path("name").asText("");
        if (!name.isBlank()) {
            return name;
        }
        String id = m.path("tool_call_id").asText("");
        String lastCalled = null;
        for (JsonNode msg : messages) {
            JsonNode calls = msg.get("tool_calls");
            if (calls == null || !calls.isArray()) {
                continue;
            }
            for (JsonNode c : calls) {
                String n = c.path("function").path("name").asText(c.path("name").asText(""));
                if (!id.isEmpty() && id.equals(c.path("id").asText())) {
                    return n;
                }
                if (!n.isBlank()) {
                    lastCalled = n;
                }
            }
        }
        return lastCalled;
    }

    private static String describe(String tool, String content) {
        String who = tool == null || tool.isBlank() ? "the tool" : tool;
        String c = content == null ? "" : content.strip();
        int variant = (int) Math.floorMod(Hashing.of("tool-preface", who, c), 3L);
        if (c.isEmpty()) {
            return "The " + (who.equals("the tool") ? "tool" : who) + " call returned no result.";
        }
        JsonNode json = null;
        char first = c.charAt(0);
        if (first == '{' || first == '[') {
            try {
                json = LlamaJson.MAPPER.readTree(c);
            } catch (Exception e) {
                json = null;
            }
        }
        if (json != null && json.isObject()) {
            List<String> facts = new ArrayList<>();
            facts(json, facts, 0);
            if (!facts.isEmpty()) {
                String joined = join(facts);
                return switch (variant) {
                    case 0 -> "According to " + who + ", " + joined + ".";
                    case 1 -> "The " + who + " result shows that " + joined + ".";
                    default -> "I checked with " + who + ": " + joined + ".";
                };
            }
        }
        if (json != null && json.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode e : json) {
                String s = firstScalar(e);
                if (s != null) {
                    items.add(s);
                }
                if (items.size() >= 5) {
                    break;
                }
            }
            if (items.isEmpty()) {
                return "The " + who + " result is empty.";
            }
            return "The " + who + " result lists " + json.size() + (json.size() == 1 ? " entry: " : " entries: ")
                    + join(items) + ".";
        }
        String text = c.replaceAll("\\s+", " ");
        Matcher end = Pattern.compile("[.!?](\\s|$)").matcher(text);
        int cut = -1;
        while (end.find()) {
            cut = end.start() + 1;
            if (cut >= 60) {
                break;
            }
        }
        String sentence = cut > 0 ? text.substring(0, cut) : text;
        if (sentence.length() > 240) {
            sentence = sentence.substring(0, 240).replaceAll("\\s+\\S*$", "") + "...";
        }
        if (!sentence.matches("(?s).*[.!?]$")) {
            sentence = sentence + ".";
        }
        return switch (variant) {
            case 0 -> "According to " + who + ", " + lowerFirst(sentence);
            case 1 -> "The " + who + " result says: " + sentence;
            default -> "I checked with " + who + ": " + sentence;
        };
    }

    private static void facts(JsonNode o, List<String> out, int depth) {
        Iterator<String> it = o.fieldNames();
        while (it.hasNext() && out.size() < 4) {
            String k = it.next();
            JsonNode v = o.get(k);
            if (v.isValueNode() && !v.isNull()) {
                String s = v.asText().strip();
                if (s.isEmpty()) {
                    continue; // nothing to report: a model does not mention an empty field
                }
                if (s.length() > 80) {
                    s = s.substring(0, 80).replaceAll("\\s+\\S*$", "") + "...";
                }
                out.add("the " + phrase(k) + " is " + s);
            } else if (v.isObject() && depth < 2) {
                facts(v, out, depth + 1);
            } else if (v.isArray() && v.size() > 0) {
                List<String> items = new ArrayList<>();
                for (JsonNode e : v) {
                    String s = firstScalar(e);
                    if (s != null && items.size() < 3) {
                        items.add(s);
                    }
                }
                if (!items.isEmpty()) {
                    out.add("the " + phrase(k) + (v.size() == 1 ? " is " : " list ") + join(items));
                }
            }
        }
    }

    private static String firstScalar(JsonNode n) {
        if (n.isValueNode() && !n.isNull()) {
            return n.asText();
        }
        if (n.isObject()) {
            for (String key : List.of("name", "title", "label", "id")) {
                if (n.path(key).isValueNode() && !n.path(key).isNull() && !n.path(key).isMissingNode()) {
                    return n.get(key).asText();
                }
            }
            Iterator<JsonNode> it = n.elements();
            while (it.hasNext()) {
                JsonNode v = it.next();
                if (v.isValueNode() && !v.isNull()) {
                    return v.asText();
                }
            }
        }
        return null;
    }

    private static String phrase(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replace('_', ' ').replace('-', ' ').strip()
                .toLowerCase(Locale.ROOT);
    }

    private static String join(List<String> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))
                && !s.startsWith("I ")) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }
}
