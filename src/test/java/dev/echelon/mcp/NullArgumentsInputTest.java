package dev.echelon.mcp;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NullArgumentsInputTest {

    @Test
    void nullArgumentsOfToolCallsAreLeftOutAndEverythingElsePassesUnchanged() throws IOException {
        String call = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\","
                + "\"arguments\":{\"prompt\":\"hi\",\"role\":null,\"max_tokens\":null}}}";
        String other = "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/read\",\"params\":{\"uri\":null}}";
        String batch = "[" + call + "," + other + "]";
        String notJson = "not json but null";
        byte[] in = String.join("\n", call, other, batch, notJson).getBytes(StandardCharsets.UTF_8);
        String[] out = new String(new NullArgumentsInput(new ByteArrayInputStream(in)).readAllBytes(),
                StandardCharsets.UTF_8).split("\n");

        assertEquals(4, out.length);
        JsonObject args = new JsonObject(out[0]).getJsonObject("params").getJsonObject("arguments");
        assertEquals("hi", args.getString("prompt"));
        assertFalse(args.containsKey("role"));
        assertFalse(args.containsKey("max_tokens"));
        assertEquals(other, out[1], "only tools/call arguments are touched");
        assertFalse(out[2].contains("\"role\""), "a batch's calls are rewritten too: " + out[2]);
        assertTrue(out[2].contains("\"uri\":null"), out[2]);
        assertEquals(notJson, out[3]);
    }
}
