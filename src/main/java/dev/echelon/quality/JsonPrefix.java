package dev.echelon.quality;

/**
 * Classifies text as complete JSON, a prefix of some valid JSON (it could still become valid), or invalid (no
 * continuation can make it valid). One pass, no allocation beyond a nesting stack. Package-private.
 */
final class JsonPrefix {

    enum Status { COMPLETE, INCOMPLETE, INVALID }

    /**
     * @param status   the classification
     * @param offset   where the text became invalid (INVALID), else the length scanned
     * @param topLevel the first non-whitespace character of the value ({@code '{'}, {@code '['}, {@code '"'},
     *                 a digit…), 0 when none yet
     * @param message  what was wrong or missing
     */
    record Result(Status status, int offset, char topLevel, String message) {
        boolean complete() {
            return status == Status.COMPLETE;
        }
    }

    private JsonPrefix() {
    }

    private enum St {
        VALUE, ARRAY_FIRST, OBJ_FIRST, OBJ_KEY, COLON, AFTER, STRING, ESCAPE, UNICODE, NUMBER, LITERAL, END
    }

    // number sub-states
    private static final int N_SIGN = 0, N_ZERO = 1, N_INT = 2, N_DOT = 3, N_FRAC = 4, N_E = 5, N_ESIGN = 6, N_EXP = 7;

    static Result scan(CharSequence s) {
        char[] stack = new char[16];
        int depth = 0;
        St st = St.VALUE;
        boolean stringIsKey = false;
        int unicodeLeft = 0;
        int num = 0;
        String literal = null;
        int litPos = 0;
        char top = 0;
        int i = 0;
        final int n = s.length();
        while (i < n) {
            char ch = s.charAt(i);
            switch (st) {
                case STRING -> {
                    if (ch == '"') {
                        st = stringIsKey ? St.COLON : St.AFTER;
                    } else if (ch == '\\') {
                        st = St.ESCAPE;
                    } else if (ch < 0x20) {
                        return invalid(i, top, "control character in string");
                    }
                    i++;
                }
                case ESCAPE -> {
                    if (ch == 'u') {
                        st = St.UNICODE;
                        unicodeLeft = 4;
                    } else if ("\"\\/bfnrt".indexOf(ch) >= 0) {
                        st = St.STRING;
                    } else {
                        return invalid(i, top, "bad escape \\" + ch);
                    }
                    i++;
                }
                case UNICODE -> {
                    if (Character.digit(ch, 16) < 0) {
                        return invalid(i, top, "bad \\u escape");
                    }
                    if (--unicodeLeft == 0) {
                        st = St.STRING;
                    }
                    i++;
                }
                case NUMBER -> {
                    int next = numberStep(num, ch);
                    if (next >= 0) {
                        num = next;
                        i++;
                    } else if (num == N_ZERO || num == N_INT || num == N_FRAC || num == N_EXP) {
                        st = St.AFTER; // number ended; re-read ch
                    } else {
                        return invalid(i, top, "malformed number");
                    }
                }
                case LITERAL -> {
                    if (ch != literal.charAt(litPos)) {
                        return invalid(i, top, "expected " + literal);
                    }
                    if (++litPos == literal.length()) {
                        st = St.AFTER;
                    }
                    i++;
                }
                default -> {
                    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                        i++;
                        continue;
                    }
                    switch (st) {
                        case VALUE, ARRAY_FIRST -> {
                            if (st == St.ARRAY_FIRST && ch == ']') {
                                depth--;
                                st = St.AFTER;
                                i++;
                                break;
                            }
                            if (top == 0) {
                                top = ch;
                            }
                            if (ch == '{' || ch == '[') {
                                if (depth == stack.length) {
                                    stack = java.util.Arrays.copyOf(stack, depth * 2);
                                }
                                stack[depth++] = ch;
                                st = ch == '{' ? St.OBJ_FIRST : St.ARRAY_FIRST;
                            } else if (ch == '"') {
                                st = St.STRING;
                                stringIsKey = false;
                            } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
                                st = St.NUMBER;
                                num = ch == '-' ? N_SIGN : ch == '0' ? N_ZERO : N_INT;
                            } else if (ch == 't' || ch == 'f' || ch == 'n') {
                                literal = ch == 't' ? "true" : ch == 'f' ? "false" : "null";
                                litPos = 1;
                                st = St.LITERAL;
                            } else {
                                return invalid(i, top, "expected a value, found '" + ch + "'");
                            }
                            i++;
                        }
                        case OBJ_FIRST, OBJ_KEY -> {
                            if (ch == '"') {
                                st = St.STRING;
                                stringIsKey = true;
                            } else if (ch == '}' && st == St.OBJ_FIRST) {
                                depth--;
                                st = St.AFTER;
                            } else {
                                return invalid(i, top, "expected a quoted property name, found '" + ch + "'");
                            }
                            i++;
                        }
                        case COLON -> {
                            if (ch != ':') {
                                return invalid(i, top, "expected ':' after property name");
                            }
                            st = St.VALUE;
                            i++;
                        }
                        case AFTER -> {
                            if (depth == 0) {
                                st = St.END;
                                continue;
                            }
                            char open = stack[depth - 1];
                            if (ch == ',') {
                                st = open == '{' ? St.OBJ_KEY : St.VALUE;
                            } else if ((ch == '}' && open == '{') || (ch == ']' && open == '[')) {
                                depth--;
                            } else {
                                return invalid(i, top, "expected ',' or '" + (open == '{' ? '}' : ']')
                                        + "', found '" + ch + "'");
                            }
                            i++;
                        }
                        case END -> {
                            return invalid(i, top, "unexpected text after the JSON value");
                        }
                        default -> throw new IllegalStateException(st.name());
                    }
                }
            }
        }
        // end of input
        if (st == St.NUMBER && depth == 0 && (num == N_ZERO || num == N_INT || num == N_FRAC || num == N_EXP)) {
            return new Result(Status.COMPLETE, n, top, "");
        }
        if (st == St.AFTER && depth == 0 || st == St.END) {
            return new Result(Status.COMPLETE, n, top, "");
        }
        String missing = top == 0 ? "no JSON value" : depth > 0 ? depth + " unclosed bracket(s)" : "value not finished";
        return new Result(Status.INCOMPLETE, n, top, missing);
    }

    private static int numberStep(int state, char ch) {
        boolean digit = ch >= '0' && ch <= '9';
        return switch (state) {
            case N_SIGN -> ch == '0' ? N_ZERO : digit ? N_INT : -1;
            case N_ZERO -> ch == '.' ? N_DOT : (ch == 'e' || ch == 'E') ? N_E : -1;
            case N_INT -> digit ? N_INT : ch == '.' ? N_DOT : (ch == 'e' || ch == 'E') ? N_E : -1;
            case N_DOT -> digit ? N_FRAC : -1;
            case N_FRAC -> digit ? N_FRAC : (ch == 'e' || ch == 'E') ? N_E : -1;
            case N_E -> digit ? N_EXP : (ch == '+' || ch == '-') ? N_ESIGN : -1;
            case N_ESIGN, N_EXP -> digit ? N_EXP : -1;
            default -> -1;
        };
    }

    private static Result invalid(int at, char top, String message) {
        return new Result(Status.INVALID, at, top, message + " at offset " + at);
    }

    /**
     * Removes one Markdown code fence around JSON ({@code ```json … ```}). For a prefix, an opening fence line that
     * is not finished yet leaves an empty text (still a prefix).
     */
    static String stripFence(String text) {
        String t = text.stripLeading();
        if (!t.startsWith("```")) {
            return text;
        }
        int nl = t.indexOf('\n');
        if (nl < 0) {
            return "";
        }
        String body = t.substring(nl + 1);
        String tail = body.stripTrailing();
        if (tail.endsWith("```")) {
            body = tail.substring(0, tail.length() - 3);
        } else {
            // a closing fence still arriving: drop a partial run of backticks at the end
            int k = tail.length();
            while (k > 0 && tail.charAt(k - 1) == '`') {
                k--;
            }
            body = tail.substring(0, k);
        }
        return body;
    }
}
