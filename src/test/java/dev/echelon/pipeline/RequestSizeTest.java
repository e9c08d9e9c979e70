package dev.echelon.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals(new RequestSize(3, 100), s); // 12 characters ≈ 3 tokens
    }

    @Test
    void completionPromptAndTheNewerBudgetField() throws Exception {
        assertEquals(new RequestSize(2, 40), RequestSize.of(body("""
                {"prompt":"hello","max_completion_tokens":40,"max_tokens":999}""")));
        assertEquals(new RequestSize(3, 7), RequestSize.of(body("""
                {"prompt":["abcd","efgh","i"],"n_predict":7}""")));
    }

    @Test
    void aMissingOrUselessBudgetCountsAsTheDefault() throws Exception {
        assertEquals(RequestSize.DEFAULT_OUTPUT_TOKENS, RequestSize.of(body("""
                {"messages":[{"role":"user","content":"hi"}]}""")).maxOutputTokens());
        assertEquals(RequestSize.DEFAULT_OUTPUT_TOKENS, RequestSize.of(body("""
                {"prompt":"hi","max_tokens":-1}""")).maxOutputTokens());
    }
}
