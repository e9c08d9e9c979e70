package dev.echelon.memory;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContextBlockTest {

    private static Recalled recalled(long id, String text) {
        return new Recalled(new Memory(id, "key-a", null, "worker", text, new float[0],
                Instant.parse("2026-11-20T10:00:00Z"), null, 0.5), 0.9, 0.45);
    }

    @Test
    void keepsOrderAndStaysWithinTheTokenBudget() {
        List<Recalled> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(recalled(i, "Q: question " + i + " about something fairly long to say\nA: " + "word ".repeat(60)));
        }
        ContextBlock.Block b = ContextBlock.of(many, 200);
        assertTrue(b.text().length() <= 200 * 4, "≈ 4 characters per token: " + b.text().length());
        assertTrue(b.text().startsWith(ContextBlock.HEADER));
        assertTrue(b.included().size() >= 2 && b.included().size() < 20);
        assertEquals(0L, b.included().get(0).memory().id(), "most relevant first");
        assertTrue(b.text().contains("[2026-11-20] Q: question 0"));
        assertTrue(!b.text().substring(ContextBlock.HEADER.length()).contains("\nA:"), "one line per memory");
    }

    @Test
    void nothingRecalledIsAnEmptyBlock() {
        assertTrue(ContextBlock.of(List.of(), 512).isEmpty());
        assertEquals("", ContextBlock.of(List.of(), 512).text());
    }
}
