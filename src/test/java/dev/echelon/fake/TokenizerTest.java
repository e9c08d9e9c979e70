package dev.echelon.fake;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTest {

    private final Tokenizer llama = Tokenizer.forFamily("llama");

    @Test
    void roundTripsAnyText() {
        for (String s : List.of("Once upon a time, Tom went to the park.", "", " leading and trailing  ",
                "def f(x):\n    return x ** 2  # square\n\n", "Zyxwvut qqq!!! 12345 {\"a\": [1, 2]}",
                "tabs\tand\r\nwindows lines", "unicode: café – naïve ☕", "<|im_start|>user\nHi<|im_end|>\n")) {
            assertEquals(s, llama.detokenize(llama.tokenize(s, false, false)), s);
            assertEquals(s, llama.detokenize(llama.tokenize(s, false, true)), s);
        }
    }

    @Test
    void wordsArePiecesWithLeadingSpace() {
        List<Integer> ids = llama.tokenize("Once upon a time", false, false);
        assertEquals(4, ids.size());
        assertEquals(" upon", llama.piece(ids.get(1)));
        assertTrue(ids.stream().allMatch(id -> id >= Tokenizer.FIRST_PIECE && id < Tokenizer.N_VOCAB));
    }

    @Test
    void bosAndSpecials() {
        List<Integer> ids = llama.tokenize("Hi", true, true);
        assertEquals(Tokenizer.BOS, ids.get(0));
        List<Integer> chat = llama.tokenize("<|im_start|>user\nHi<|im_end|>", false, true);
        assertEquals(Tokenizer.IM_START, chat.get(0));
        assertEquals(Tokenizer.IM_END, chat.get(chat.size() - 1));
        assertTrue(llama.tokenize("<|im_start|>", false, false).size() > 1, "specials are plain text unparsed");
    }

    @Test
    void unknownTextFallsBackToBytes() {
        List<Integer> ids = llama.tokenize("☕", false, false);
        assertEquals(3, ids.size());
        assertTrue(ids.stream().allMatch(llama::isByteToken));
    }

    @Test
    void familiesHaveDifferentIds() {
        Tokenizer qwen = Tokenizer.forFamily("qwen");
        String text = "The compiler checks the types before the program ever runs.";
        assertNotEquals(llama.tokenize(text, false, false), qwen.tokenize(text, false, false));
        assertEquals(llama.tokenize(text, false, false).size(), qwen.tokenize(text, false, false).size());
        assertEquals(text, qwen.detokenize(qwen.tokenize(text, false, false)));
        assertTrue(Tokenizer.forFamily("LLAMA") == llama);
    }
}
