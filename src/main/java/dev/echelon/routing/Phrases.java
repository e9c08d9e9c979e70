package dev.echelon.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A set of word phrases matched against a token array in one pass: the cheap replacement for a regular expression
 * with hundreds of alternatives. Phrases are written as space-separated tokens. Tokens are lower-cased runs of letters, digits and the characters {@code ' - + #}
 * (so {@code trade-off}, {@code c++} and {@code don't} are single tokens; {@code node.js} is two). In a phrase,
 * a token ending in {@code *} matches any token with that prefix, and {@code #} matches a number. Matching is
 * whole-token, so {@code java} never matches inside {@code javascript}. At each position the longest phrase wins
 * and matches do not overlap.
 */
final class Phrases {

    /** One phrase token: an exact word, a prefix ({@code foo*}) or any number ({@code #}). */
    private record Tok(String text, boolean prefix, boolean number) {
        static Tok of(String t) {
            if (t.equals("#")) {
                return new Tok("", false, true);
            }
            if (t.endsWith("*")) {
                return new Tok(t.substring(0, t.length() - 1), true, false);
            }
            return new Tok(t, false, false);
        }

        boolean matches(String token) {
            if (number) {
                return !token.isEmpty() && Character.isDigit(token.charAt(0));
            }
            return prefix ? token.startsWith(text) : text.equals(token);
        }
    }

    private final Map<String, List<Tok[]>> byFirst = new HashMap<>();
    /** Phrases starting with a prefix token, by the prefix's first two characters. */
    private final Map<String, List<Tok[]>> prefixFirst = new HashMap<>();
    /** Phrases starting with a number or a one-character prefix. */
    private final List<Tok[]> wildFirst = new ArrayList<>();
    private final int size;

    Phrases(Collection<String> phrases) {
        int n = 0;
        for (String p : phrases) {
            String[] words = p.trim().toLowerCase(Locale.ROOT).split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                continue;
            }
            Tok[] t = new Tok[words.length];
            for (int i = 0; i < words.length; i++) {
                t[i] = Tok.of(words[i]);
            }
            if (t[0].prefix() && t[0].text().length() >= 2) {
                prefixFirst.computeIfAbsent(t[0].text().substring(0, 2), k -> new ArrayList<>()).add(t);
            } else if (t[0].prefix() || t[0].number()) {
                wildFirst.add(t);
            } else {
                byFirst.computeIfAbsent(t[0].text(), k -> new ArrayList<>()).add(t);
            }
            n++;
        }
        for (List<Tok[]> l : byFirst.values()) {
            l.sort((a, b) -> b.length - a.length);
        }
        wildFirst.sort((a, b) -> b.length - a.length);
        for (List<Tok[]> l : prefixFirst.values()) {
            l.sort((a, b) -> b.length - a.length);
        }
        this.size = n;
    }

    static Phrases of(String... phrases) {
        return new Phrases(List.of(phrases));
    }

    int size() {
        return size;
    }

    /** Non-overlapping matches. */
    int count(String[] tokens) {
        int n = 0;
        int i = 0;
        while (i < tokens.length) {
            int len = longestAt(tokens, i);
            if (len > 0) {
                n++;
                i += len;
            } else {
                i++;
            }
        }
        return n;
    }

    /** The distinct phrases matched, as they appear in the text (tokens joined by a space). */
    Set<String> distinct(String[] tokens) {
        Set<String> out = new LinkedHashSet<>();
        int i = 0;
        while (i < tokens.length) {
            int len = longestAt(tokens, i);
            if (len > 0) {
                out.add(String.join(" ", java.util.Arrays.copyOfRange(tokens, i, i + len)));
                i += len;
            } else {
                i++;
            }
        }
        return out;
    }

    /** Length in tokens of the longest phrase matching at {@code i}, or 0. */
    int longestAt(String[] tokens, int i) {
        int best = 0;
        List<Tok[]> cands = byFirst.get(tokens[i]);
        if (cands != null) {
            for (Tok[] p : cands) {
                if (p.length > best && matches(p, tokens, i)) {
                    best = p.length;
                    break; // sorted longest first
                }
            }
        }
        if (!prefixFirst.isEmpty() && tokens[i].length() >= 2) {
            List<Tok[]> pre = prefixFirst.get(tokens[i].substring(0, 2));
            if (pre != null) {
                for (Tok[] p : pre) {
                    if (p.length > best && matches(p, tokens, i)) {
                        best = p.length;
                        break;
                    }
                }
            }
        }
        for (Tok[] p : wildFirst) {
            if (p.length > best && matches(p, tokens, i)) {
                best = p.length;
                break;
            }
        }
        return best;
    }

    private static boolean matches(Tok[] phrase, String[] tokens, int at) {
        if (at + phrase.length > tokens.length) {
            return false;
        }
        for (int k = 0; k < phrase.length; k++) {
            if (!phrase[k].matches(tokens[at + k])) {
                return false;
            }
        }
        return true;
    }

    /** Lower-cased word tokens; see the class comment. */
    static String[] tokens(String text) {
        List<String> out = new ArrayList<>();
        int n = text.length();
        int start = -1;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (c == '\u2019') {
                c = '\'';
            }
            boolean tokenChar = Character.isLetterOrDigit(c) || c == '\'' || c == '-' || c == '+' || c == '#';
            if (tokenChar) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                add(out, text, start, i);
                start = -1;
            }
        }
        return out.toArray(String[]::new);
    }

    private static void add(List<String> out, String text, int from, int to) {
        // trim quote and hyphen characters at the ends ("'hello'", "-v"), keep c++ / c#
        while (from < to && (text.charAt(from) == '\'' || text.charAt(from) == '-' || text.charAt(from) == '\u2019')) {
            from++;
        }
        while (to > from && (text.charAt(to - 1) == '\'' || text.charAt(to - 1) == '-')) {
            to--;
        }
        if (from < to) {
            out.add(text.substring(from, to).toLowerCase(Locale.ROOT).replace('\u2019', '\''));
        }
    }
}
