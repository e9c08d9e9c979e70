package dev.echelon.quality;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonPrefixTest {

    private static JsonPrefix.Status status(String s) {
        return JsonPrefix.scan(s).status();
    }

    @Test
    void complete() {
        for (String s : List.of("{}", "[]", " {\"a\": [1, -2.5e-3, true, false, null, \"x\\\"y\\u00e9\"]} \n", "0",
                "-0.5", "\"text\"", "true", "[[[]]]", "{\"a\":{\"b\":{\"c\":[{}]}}}", "1E+5")) {
            assertEquals(JsonPrefix.Status.COMPLETE, status(s), s);
        }
    }

    @Test
    void validPrefixes() {
        for (String s : List.of("", "  ", "{", "[", "{\"", "{\"a", "{\"a\"", "{\"a\":", "{\"a\": 1", "{\"a\": 1,",
                "{\"a\": 1, \"b\"", "[1, 2", "[1, 2,", "{\"a\": \"x\\", "{\"a\": \"x\\u0", "{\"a\": t", "{\"a\": fal",
                "{\"a\": n", "[-", "[1.", "[1e", "[1e-", "{\"a\": [{\"b\": [")) {
            assertEquals(JsonPrefix.Status.INCOMPLETE, status(s), s);
        }
    }

    @Test
    void invalid() {
        for (String s : List.of("{a", "{'a'", "{\"a\" 1", "{\"a\": 1 \"b\"", "[1 2]", "{\"a\": 1]", "[1}",
                "{\"a\": tru3", "{\"a\": nul1", "[01]", "[1.e5]", "[.5]", "[+1]", "{\"a\": \"\\x\"}", "{,}", "[,]",
                "{} {}", "{}x", "Sure: {}", "{\"a\": \"line\nbreak\"}", "[1,]", "{\"a\":1,}")) {
            assertEquals(JsonPrefix.Status.INVALID, status(s), s);
        }
    }

    @Test
    void reportsWhereItBroke() {
        JsonPrefix.Result r = JsonPrefix.scan("{\"a\": 1, b: 2}");
        assertEquals(9, r.offset());
        assertEquals('{', r.topLevel());
    }

    @Test
    void stripsOneCodeFence() {
        assertEquals("{\"a\":1}", JsonPrefix.stripFence("```json\n{\"a\":1}\n```").strip());
        assertEquals("{\"a\":1}", JsonPrefix.stripFence("```\n{\"a\":1}```").strip());
        assertEquals("", JsonPrefix.stripFence("```js"));
        assertEquals("{\"a\":", JsonPrefix.stripFence("```json\n{\"a\":").strip());
        assertEquals("{\"a\":1}", JsonPrefix.stripFence("{\"a\":1}"));
    }
}
