package dev.echelon.quality;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/** Text heuristics shared by the gate and the monitor. Package-private; all pure functions. */
final class QualityText {

    private QualityText() {
    }

    /**
     * Words that do not end a finished sentence or value: an answer that stops on one (lower-case, with no
     * punctuation after it) was cut. Words that often end phrases legitimately ("in", "on", "so", "this", "her")
     * are left out.
     */
    private static final Set<String> DANGLING_WORDS = Set.of(
            "the", "a", "an", "and", "or", "nor", "of", "to", "with", "for", "from", "into", "is", "are", "was",
            "were", "that", "which", "whose", "because", "but", "than", "if", "their", "its", "your", "my", "our",
            "such");

    /** Endings that look dangling by their last character but are not: emoticons, C++, rules, base64 padding. */
    private static final String[] NOT_DANGLING_ENDINGS = {":)", ";)", ":(", ":-)", "++", "--", "=="};

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}_'’]+");

    /** Lower-cases and normalises typographic apostrophes, for phrase matching. */
    static String normalizeForMatch(String s) {
        return s.replace('’', '\'').replace('‘', '\'').toLowerCase(Locale.ROOT);
    }

    /** Whether the text holds any letter, digit or symbol (an emoji is an answer; "..." is not). */
    static boolean hasContent(String s) {
        return s.codePoints().anyMatch(cp -> Character.isLetterOrDigit(cp)
                || Character.getType(cp) == Character.OTHER_SYMBOL);
    }

    /** Number of Markdown code fences ({@code ```} at a line start) is odd: a code block was left open. */
    static boolean unclosedCodeFence(String s) {
        int count = 0;
        int i = 0;
        while ((i = s.indexOf("```", i)) >= 0) {
            int lineStart = s.lastIndexOf('\n', i - 1) + 1;
            if (s.substring(lineStart, i).isBlank()) {
                count++;
            }
            i += 3;
            while (i < s.length() && s.charAt(i) == '`') {
                i++;
            }
        }
        return (count & 1) == 1;
    }

    /** The text ends where no finished answer ends: on a comma, colon, opening bracket, or a function word. */
    static boolean endsDangling(String s) {
        String t = s.strip();
        if (t.isEmpty()) {
            return false;
        }
        char last = t.charAt(t.length() - 1);
        if (",:;([{-&=+\\".indexOf(last) >= 0) {
            for (String ok : NOT_DANGLING_ENDINGS) {
                if (t.endsWith(ok)) {
                    return false;
                }
            }
            return true;
        }
        if (!Character.isLetter(last)) {
            return false;
        }
        int i = t.length();
        while (i > 0 && (Character.isLetter(t.charAt(i - 1)) || t.charAt(i - 1) == '\'')) {
            i--;
        }
        String word = t.substring(i);
        if (i == 0) {
            // a lone word: "The" is cut, but "A" or "a" can answer a multiple-choice question
            return word.length() > 1 && DANGLING_WORDS.contains(word.toLowerCase(Locale.ROOT));
        }
        // mid-text, only a lower-case function word dangles ("Plan A", "Vitamin A" do not)
        return word.equals(word.toLowerCase(Locale.ROOT)) && DANGLING_WORDS.contains(word);
    }

    /**
     * Whether a short answer looks complete: it does not dangle or leave a code block open, and it either ends like
     * a sentence or value (terminal punctuation, a closing bracket or quote) or is a short value of a few words
     * ("4", "Paris", "Yes").
     */
    static boolean looksComplete(String s) {
        String t = s.strip();
        if (t.isEmpty() || endsDangling(t) || unclosedCodeFence(t)) {
            return false;
        }
        char last = t.charAt(t.length() - 1);
        if (".!?…。！？)]}\"'`*»”’%".indexOf(last) >= 0) {
            return true;
        }
        if (Character.getType(t.codePointBefore(t.length())) == Character.OTHER_SYMBOL) {
            return true;
        }
        return wordCount(t) <= 6;
    }

    static int wordCount(String s) {
        int n = 0;
        var m = WORD.matcher(s);
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Deflate ratio (compressed / raw bytes) of the text; 1.0 for empty text. */
    static double compressionRatio(String s) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        if (raw.length == 0) {
            return 1.0;
        }
        Deflater d = new Deflater(6, true);
        try {
            d.setInput(raw);
            d.finish();
            byte[] buf = new byte[8192];
            long out = 0;
            while (!d.finished()) {
                out += d.deflate(buf);
            }
            return (double) out / raw.length;
        } finally {
            d.end();
        }
    }

    /**
     * Splits text into comparison units, incrementally: runs of letters/digits (words), runs of other visible
     * characters (punctuation), and single CJK characters; whitespace separates units and is dropped. The same
     * text gives the same units however it is cut into pieces.
     */
    static final class UnitSplitter {
        private static final int MAX_UNIT = 48;
        private final StringBuilder cur = new StringBuilder();
        private int kind; // 0 none, 1 word, 2 punctuation

        void feed(CharSequence s, Consumer<String> out) {
            for (int i = 0; i < s.length(); ) {
                int cp = Character.codePointAt(s, i);
                i += Character.charCount(cp);
                if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                    flush(out);
                } else if (isCjk(cp)) {
                    flush(out);
                    out.accept(new String(Character.toChars(cp)));
                } else {
                    int k = Character.isLetterOrDigit(cp) || cp == '_' ? 1 : 2;
                    if (k != kind || cur.length() >= MAX_UNIT) {
                        flush(out);
                    }
                    kind = k;
                    cur.appendCodePoint(cp);
                }
            }
        }

        void flush(Consumer<String> out) {
            if (cur.length() > 0) {
                out.accept(cur.toString());
                cur.setLength(0);
            }
            kind = 0;
        }

        private static boolean isCjk(int cp) {
            if (Character.isIdeographic(cp)) {
                return true;
            }
            Character.UnicodeScript sc = Character.UnicodeScript.of(cp);
            return sc == Character.UnicodeScript.HIRAGANA || sc == Character.UnicodeScript.KATAKANA;
        }
    }
}
