package dev.echelon.tools;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns HTML into readable text without a DOM: drops what is never shown (script, style, noscript, head, template,
 * comments), makes block elements line breaks, removes the remaining tags, decodes entities and collapses whitespace.
 * Regexes are enough here because the output is for reading, not for faithful rendering, and a parser library would be
 * a new dependency.
 */
final class HtmlToText {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    private static final Pattern TITLE = Pattern.compile("<title\\b[^>]*>(.*?)</title\\s*>", FLAGS);
    private static final Pattern COMMENT = Pattern.compile("<!--.*?(-->|$)", FLAGS);
    private static final Pattern HIDDEN = Pattern.compile(
            "<(script|style|noscript|head|template|svg|iframe|object)\\b[^>]*>.*?(</\\1\\s*>|$)", FLAGS);
    private static final Pattern BLOCK = Pattern.compile(
            "</?(p|div|br|hr|h[1-6]|li|ul|ol|dl|dt|dd|tr|table|thead|tbody|tfoot|section|article|header|footer|nav"
                    + "|aside|main|blockquote|pre|form|fieldset|figure|figcaption|address|details|summary|caption)"
                    + "\\b[^>]*>",
            FLAGS);
    private static final Pattern CELL = Pattern.compile("</?(td|th)\\b[^>]*>", FLAGS);
    private static final Pattern TAG = Pattern.compile("<[^>]*>?", FLAGS);
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});");
    private static final Pattern SPACES = Pattern.compile("[ \\t\\x0B\\f\\r\\u00A0\\u200B]+");
    private static final Pattern SOURCE_WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern BLANK_RUNS = Pattern.compile("\\n{3,}");
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("copy", "©"), Map.entry("reg", "®"),
            Map.entry("trade", "™"), Map.entry("mdash", "—"), Map.entry("ndash", "–"), Map.entry("hellip", "…"),
            Map.entry("lsquo", "‘"), Map.entry("rsquo", "’"), Map.entry("ldquo", "“"), Map.entry("rdquo", "”"),
            Map.entry("laquo", "«"), Map.entry("raquo", "»"), Map.entry("euro", "€"), Map.entry("pound", "£"),
            Map.entry("middot", "·"), Map.entry("bull", "•"), Map.entry("times", "×"), Map.entry("deg", "°"));

    private HtmlToText() {}

    static HtmlText convert(String html) {
        Matcher t = TITLE.matcher(html);
        String title = t.find() ? oneLine(decode(TAG.matcher(t.group(1)).replaceAll(""))) : "";
        String s = COMMENT.matcher(html).replaceAll("");
        s = HIDDEN.matcher(s).replaceAll(" ");
        // Line breaks in the source are plain whitespace in HTML; only block elements make lines.
        s = SOURCE_WHITESPACE.matcher(s).replaceAll(" ");
        s = BLOCK.matcher(s).replaceAll("\n");
        s = CELL.matcher(s).replaceAll(" ");
        s = TAG.matcher(s).replaceAll("");
        // Entities are decoded only after tags are gone, so "&lt;script&gt;" in the page stays visible text.
        s = decode(s);
        StringBuilder out = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            out.append(SPACES.matcher(line).replaceAll(" ").strip()).append('\n');
        }
        String text = BLANK_RUNS.matcher(out.toString()).replaceAll("\n\n").strip();
        return new HtmlText(title, text);
    }

    static String decode(String s) {
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(entity(m.group(1), m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String entity(String body, String whole) {
        if (body.startsWith("#")) {
            boolean hex = body.length() > 1 && (body.charAt(1) == 'x' || body.charAt(1) == 'X');
            int cp = Integer.parseInt(hex ? body.substring(2) : body.substring(1), hex ? 16 : 10);
            return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : "\uFFFD";
        }
        String named = NAMED.get(body);
        if (named == null) {
            named = NAMED.get(body.toLowerCase(Locale.ROOT));
        }
        return named == null ? whole : named;
    }

    private static String oneLine(String s) {
        return SPACES.matcher(s.replace('\n', ' ')).replaceAll(" ").strip();
    }
}
