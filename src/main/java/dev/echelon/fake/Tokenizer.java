package dev.echelon.fake;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deterministic, invertible tokenizer with a 32000-id vocabulary per tokenizer family. Pieces are words with an
 * optional leading space, single digits, punctuation (and a few code operators), whitespace runs; a word missing from
 * the vocabulary is split into the longest known pieces, and anything else falls back to byte tokens
 * ({@code <0xNN>}), so {@code detokenize(tokenize(x)) == x} for any text. Ids 0–260 are shared by all families
 * (unk, BOS, EOS, the 256 byte tokens, the two chat-template markers); the ids of all other pieces are a permutation
 * seeded by the family name, so two families tokenize the same text to different ids — which is what a draft/target
 * pairing check through {@code /tokenize} detects.
 */
final class Tokenizer {

    static final int N_VOCAB = 32000;
    static final int UNK = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int BYTE_BASE = 3;
    static final int IM_START = 259;
    static final int IM_END = 260;
    static final int FIRST_PIECE = 261;

    static final String BOS_TEXT = "<s>";
    static final String EOS_TEXT = "</s>";
    static final String IM_START_TEXT = "<|im_start|>";
    static final String IM_END_TEXT = "<|im_end|>";

    private static final String[] SPECIAL_TEXTS = {IM_START_TEXT, IM_END_TEXT, BOS_TEXT, EOS_TEXT};
    private static final int[] SPECIAL_IDS = {IM_START, IM_END, BOS, EOS};

    /** Family-independent piece list, in a fixed order. */
    private static final List<String> BASE_PIECES = buildPieces();
    private static final int MAX_PIECE_CHARS = BASE_PIECES.stream().mapToInt(String::length).max().orElse(1);
    private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    private final String family;
    private final Map<String, Integer> ids;
    private final String[] pieces;
    private final int[] commonIds;

    private Tokenizer(String family) {
        this.family = family;
        int n = N_VOCAB - FIRST_PIECE;
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = FIRST_PIECE + i;
        }
        SplittableRandom rnd = new SplittableRandom(Hashing.of("tokenizer-family", family));
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        pieces = new String[N_VOCAB];
        ids = new HashMap<>(BASE_PIECES.size() * 2);
        for (int i = 0; i < BASE_PIECES.size(); i++) {
            pieces[perm[i]] = BASE_PIECES.get(i);
            ids.put(BASE_PIECES.get(i), perm[i]);
        }
        List<Integer> common = new ArrayList<>();
        for (String w : Corpus.COMMON_WORDS.split("\\s+")) {
            if (w.length() > 1 && w.chars().allMatch(Character::isLetter)) {
                Integer id = ids.get(" " + w);
                if (id != null) {
                    common.add(id);
                }
            }
        }
        for (String p : new String[] {",", ".", " the", " a", " and", " of", " to", "\n", " is", " in"}) {
            Integer id = ids.get(p);
            if (id != null) {
                common.add(id);
            }
        }
        commonIds = common.stream().distinct().mapToInt(Integer::intValue).toArray();
    }

    static Tokenizer forFamily(String family) {
        String key = family == null || family.isBlank() ? "default" : family.trim().toLowerCase(Locale.ROOT);
        return CACHE.computeIfAbsent(key, Tokenizer::new);
    }

    String family() {
        return family;
    }

    int vocabSize() {
        return N_VOCAB;
    }

    /** Pieces commonly proposed as alternatives in top-k lists. */
    int[] commonIds() {
        return commonIds;
    }

    Integer idOf(String piece) {
        return ids.get(piece);
    }

    List<Integer> tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial) {
            out.add(BOS);
        }
        if (text == null || text.isEmpty()) {
            return out;
        }
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (parseSpecial) {
                int s = specialAt(text, i);
                if (s >= 0) {
                    out.add(SPECIAL_IDS[s]);
                    i += SPECIAL_TEXTS[s].length();
                    continue;
                }
            }
            char c = text.charAt(i);
            if (c == ' ') {
                int j = i;
                while (j < n && text.charAt(j) == ' ') {
                    j++;
                }
                boolean attach = j < n && attachable(text.charAt(j)) && !(parseSpecial && specialAt(text, j) >= 0);
                int spaces = attach ? j - i - 1 : j - i;
                encodeGreedy(" ".repeat(spaces), out);
                i += spaces;
                if (!attach) {
                    continue;
                }
            }
            if (c == '\n' || c == '\r' || c == '\t') {
                int j = i;
                while (j < n && text.charAt(j) == c) {
                    j++;
                }
                encodeGreedy(text.substring(i, j), out);
                i = j;
                continue;
            }
            int end = pretokenEnd(text, i);
            encodeGreedy(text.substring(i, end), out);
            i = end;
        }
        return out;
    }

    private static boolean attachable(char c) {
        return c != ' ' && c != '\n' && c != '\r' && c != '\t';
    }

    private static int specialAt(String text, int i) {
        if (text.charAt(i) != '<') {
            return -1;
        }
        for (int s = 0; s < SPECIAL_TEXTS.length; s++) {
            if (text.startsWith(SPECIAL_TEXTS[s], i)) {
                return s;
            }
        }
        return -1;
    }

    /** End of the pre-token starting at {@code i}: an optional space, then a letter run, a digit, a symbol run. */
    private static int pretokenEnd(String text, int i) {
        int n = text.length();
        int j = i;
        if (text.charAt(j) == ' ') {
            j++;
            if (j >= n) {
                return j;
            }
        }
        char c = text.charAt(j);
        if (isAsciiLetter(c)) {
            while (j < n && isAsciiLetter(text.charAt(j))) {
                j++;
            }
            return j;
        }
        if (c >= '0' && c <= '9') {
            return j + 1;
        }
        if (c < 128) {
            while (j < n) {
                char d = text.charAt(j);
                if (d >= 128 || isAsciiLetter(d) || (d >= '0' && d <= '9') || d == ' ' || d == '\n' || d == '\r'
                        || d == '\t' || (d == '<' && specialAt(text, j) >= 0)) {
                    break;
                }
                j++;
            }
            return Math.max(j, i + 1);
        }
        return j + Character.charCount(text.codePointAt(j));
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private void encodeGreedy(String s, List<Integer> out) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            int max = Math.min(MAX_PIECE_CHARS, n - i);
            boolean found = false;
            for (int len = max; len >= 1; len--) {
                Integer id = ids.get(s.substring(i, i + len));
                if (id != null) {
                    out.add(id);
                    i += len;
                    found = true;
                    break;
                }
            }
            if (!found) {
                int cp = s.codePointAt(i);
                int cc = Character.charCount(cp);
                for (byte b : s.substring(i, i + cc).getBytes(StandardCharsets.UTF_8)) {
                    out.add(BYTE_BASE + (b & 0xff));
                }
                i += cc;
            }
        }
    }

    /** The text of one token; byte tokens that are not a character on their own render as U+FFFD. */
    String piece(int id) {
        byte[] b = bytes(id);
        return new String(b, StandardCharsets.UTF_8);
    }

    boolean isByteToken(int id) {
        return id >= BYTE_BASE && id < BYTE_BASE + 256;
    }

    boolean valid(int id) {
        return id >= 0 && id < N_VOCAB;
    }

    byte[] bytes(int id) {
        if (id == BOS) {
            return BOS_TEXT.getBytes(StandardCharsets.UTF_8);
        }
        if (id == EOS) {
            return EOS_TEXT.getBytes(StandardCharsets.UTF_8);
        }
        if (id == IM_START) {
            return IM_START_TEXT.getBytes(StandardCharsets.UTF_8);
        }
        if (id == IM_END) {
            return IM_END_TEXT.getBytes(StandardCharsets.UTF_8);
        }
        if (isByteToken(id)) {
            return new byte[] {(byte) (id - BYTE_BASE)};
        }
        if (id >= 0 && id < N_VOCAB && pieces[id] != null) {
            return pieces[id].getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0];
    }

    String detokenize(List<Integer> tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Integer t : tokens) {
            if (t != null) {
                out.writeBytes(bytes(t));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> buildPieces() {
        Set<String> p = new LinkedHashSet<>();
        for (String w : new String[] {"\n", "\n\n", "\n\n\n", "\r", "\r\n", "\t", "\t\t", " ", "  ", "   ", "    ",
                "      ", "        ", "            ", "                "}) {
            p.add(w);
        }
        for (char c = 33; c < 127; c++) {
            if (!Character.isLetterOrDigit(c)) {
                p.add(String.valueOf(c));
                p.add(" " + c);
            }
        }
        for (String op : new String[] {"()", "):", "();", "){", "==", "!=", "<=", ">=", "+=", "-=", "*=", "->", "=>",
                "::", "{}", "[]", "[:", "]:", "//", "/*", "*/", "**", "&&", "||", "++", "--", "```", "\"\"\"", "\",",
                "\":", "\")", "\"]", "\"}", "'s", "...", ".,", "),", ")."}) {
            p.add(op);
            p.add(" " + op);
        }
        for (char c = '0'; c <= '9'; c++) {
            p.add(String.valueOf(c));
            p.add(" " + c);
        }
        for (char c = 'a'; c <= 'z'; c++) {
            String l = String.valueOf(c);
            String u = l.toUpperCase(Locale.ROOT);
            p.add(l);
            p.add(" " + l);
            p.add(u);
            p.add(" " + u);
        }
        for (String s : new String[] {"s", "es", "ed", "ing", "ly", "er", "ers", "est", "tion", "tions", "ation",
                "ment", "ments", "ness", "able", "al", "ic", "ous", "ize", "ise", "ful", "less", "ity", "ive", "ings",
                "en", "th", "ist", "ism", "ure", "ance", "ence", "ant", "ent", "ary", "ory", "age", "ial", "ian"}) {
            p.add(s);
        }
        Set<String> words = new LinkedHashSet<>();
        StringBuilder all = new StringBuilder(Corpus.COMMON_WORDS);
        for (Corpus.Topic t : Corpus.TOPICS) {
            all.append(' ').append(String.join(" ", t.keywords()));
            for (String s : t.sentences()) {
                all.append(' ').append(s);
            }
        }
        for (String g : Corpus.GREETINGS) {
            all.append(' ').append(g);
        }
        for (String w : all.toString().split("[^A-Za-z]+")) {
            if (!w.isEmpty()) {
                words.add(w.toLowerCase(Locale.ROOT));
            }
        }
        for (String w : words) {
            String cap = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            p.add(" " + w);
            p.add(w);
            p.add(" " + cap);
            p.add(cap);
        }
        if (p.size() > N_VOCAB - FIRST_PIECE) {
            throw new IllegalStateException("fake vocabulary too large: " + p.size());
        }
        return List.copyOf(p);
    }

    /** Number of distinct non-special pieces (for tests). */
    static int pieceCount() {
        return BASE_PIECES.size();
    }

    @Override
    public String toString() {
        return "Tokenizer[" + family + ", " + BASE_PIECES.size() + " pieces]";
    }
}
