package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestSizeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode body(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void chatPromptIsCountedOverEveryMessageAndContentPart() throws Exception {
        RequestSize s = RequestSize.of(body("""
                {"messages":[{"role":"system","content":"12345678"},
                             {"role":"user","content":[{"type":"text","text":"abcd"},{"type":"image_url","image_url":{"url":"x"}}]},
                             {"role":"assistant","content":null,"tool_calls":[]}],
                 "max_tokens":100}"""));
        assertEquals(3, s.promptTokens()); // 12 characters ≈ 3 tokens
        assertEquals(100, s.maxOutputTokens());
        assertEquals(4 + 3 * RequestSize.TEMPLATE_TOKENS_PER_MESSAGE, s.promptTokensAtMost()); // 12 bytes / 3
        assertEquals(4 + 3 * RequestSize.TEMPLATE_TOKENS_PER_MESSAGE + 100, s.contextTokensAtMost());
    }

    /** The chat template renders tool definitions and an agent's tool calls into the prompt: they count. */
    @Test
    void toolDefinitionsAndToolCallsCountTowardThePrompt() throws Exception {
        RequestSize withTools = RequestSize.of(body("""
                {"messages":[{"role":"user","content":"hi"},
                             {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
                              "function":{"name":"search","arguments":"{\\"q\\":\\"%s\\"}"}}]}],
                 "tools":[{"type":"function","function":{"name":"search","parameters":{"type":"object",
                           "description":"%s"}}}]}""".formatted("y".repeat(400), "x".repeat(1200))));
        RequestSize bare = RequestSize.of(body("""
                {"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null}]}"""));
        assertTrue(withTools.promptTokens() - bare.promptTokens() >= (1200 + 400) / RequestSize.CHARS_PER_TOKEN,
                withTools + " against " + bare);
        assertTrue(withTools.promptTokensAtMost() - bare.promptTokensAtMost()
                >= (1200 + 400) / RequestSize.UTF8_BYTES_PER_TOKEN, withTools + " against " + bare);
    }

    @Test
    void theGenerousEstimateCountsBytesSoAScriptOfManyTokensACharacterIsNotUnderestimated() throws Exception {
        String chinese = "数据库迁移方案".repeat(100); // 700 characters, 2,100 bytes of UTF-8
        RequestSize s = RequestSize.of(body("{\"messages\":[{\"role\":\"user\",\"content\":\"" + chinese + "\"}]}"));
        assertEquals(175, s.promptTokens()); // the running average's 4 characters a token
        assertEquals(700 + RequestSize.TEMPLATE_TOKENS_PER_MESSAGE, s.promptTokensAtMost()); // a token a character
    }

    @Test
    void completionPromptAndTheNewerBudgetField() throws Exception {
        RequestSize hello = RequestSize.of(body("""
                {"prompt":"hello","max_completion_tokens":40,"max_tokens":999}"""));
        assertEquals(List.of(2, 40, 2 + RequestSize.TEMPLATE_TOKENS_PER_MESSAGE),
                List.of(hello.promptTokens(), hello.maxOutputTokens(), hello.promptTokensAtMost()));
        RequestSize parts = RequestSize.of(body("""
                {"prompt":["abcd","efgh","i"],"n_predict":7}"""));
        assertEquals(List.of(3, 7), List.of(parts.promptTokens(), parts.maxOutputTokens()));
    }

    @Test
    void aMissingOrUselessBudgetCountsAsTheDefault() throws Exception {
        assertEquals(RequestSize.DEFAULT_OUTPUT_TOKENS, RequestSize.of(body("""
                {"messages":[{"role":"user","content":"hi"}]}""")).maxOutputTokens());
        assertEquals(RequestSize.DEFAULT_OUTPUT_TOKENS, RequestSize.of(body("""
                {"prompt":"hi","max_tokens":-1}""")).maxOutputTokens());
    }
}
