package dev.echelon.memory;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact text recalled memories become inside a prompt: a short header and one line per memory, most relevant
 * first, within a token budget. Tokens are estimated from characters (≈ 4 per token for English and code with the
 * Qwen/Llama tokenizers) — a budget, not an exact count; a memory that does not fit whole is cut at a word
 * boundary, and the ones after it are left out.
 */
public final class ContextBlock {

    static final String HEADER = "Relevant notes from earlier conversations with this user (most relevant first; "
            + "use them only where they help):";
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);
    private static final int CHARS_PER_TOKEN = 4;

    /** The block, and the memories that made it in (in order). */
    public record Block(String text, List<Recalled> included) {
        public boolean isEmpty() {
            return included.isEmpty();
        }
    }

    private ContextBlock() {
    }

    public static Block of(List<Recalled> recalled, int tokenBudget) {
        int budget = tokenBudget * CHARS_PER_TOKEN - HEADER.length();
        StringBuilder sb = new StringBuilder(HEADER);
        List<Recalled> included = new ArrayList<>();
        for (Recalled r : recalled) {
            String line = "\n- [" + DAY.format(r.memory().created()) + "] " + oneLine(r.memory().text());
            if (line.length() > budget) {
                int room = budget - 1;
                if (room < 40) {
                    break; // a stub of a memory is noise
                }
                int cut = line.lastIndexOf(' ', room);
                line = line.substring(0, cut > room / 2 ? cut : room) + "…";
            }
            sb.append(line);
            budget -= line.length();
            included.add(r);
        }
        return new Block(included.isEmpty() ? "" : sb.toString(), List.copyOf(included));
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\n\\s*", " ⏎ ");
    }
}
