package dev.echelon.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureExtractorTest {

    final FeatureExtractor fx = FeatureExtractor.fromRegistry(RoutingFixtures.REGISTRY);

    private static ObjectNode body(String... roleAndText) {
        ObjectNode b = RoutingFixtures.JSON.createObjectNode();
        ArrayNode msgs = b.putArray("messages");
        for (int i = 0; i < roleAndText.length; i += 2) {
            msgs.addObject().put("role", roleAndText[i]).put("content", roleAndText[i + 1]);
        }
        return b;
    }

    @Test
    void codeFenceLanguageTagCodeLinesAndRoleKeywords() {
        RequestFeatures f = fx.extract(body("user", """
                Why does this crash with a KeyError?
                ```python
                def total(orders):
                    return sum(o["amount"] for o in orders)
                ```
                """));
        assertEquals(1, f.codeFences());
        assertTrue(f.codeLanguages().contains("python"), f.codeLanguages().toString());
        assertTrue(f.codeLines() >= 1, "code lines " + f.codeLines());
        assertEquals(1, f.keywordHits("coder"), "the fence tag names the language");
        RequestFeatures g = fx.extractText("Fix this python function, there's a bug in the regex and the unit test fails");
        assertEquals(5, g.keywordHits("coder"), "python, function, bug, regex, unit test → distinct hits: "
                + g.roleKeywordHits());
        assertTrue(g.codeWords() >= 3);
    }

    @Test
    void keywordsMatchOnWordBoundariesCaseInsensitively() {
        assertEquals(0, fx.extractText("I love javascript and sqlite").keywordHits("coder"));
        assertEquals(2, fx.extractText("Port this JAVA class and its SQL queries").keywordHits("coder"));
        assertEquals(1, fx.extractText("Explain the system design of a chat app").keywordHits("architect"));
        assertEquals(2, fx.extractText("Prove the theorem").keywordHits("math"));
        assertEquals(0, fx.extractText("proven theorems").keywordHits("math"));
    }

    @Test
    void contentPartsImagesToolsAndJson() {
        ObjectNode b = RoutingFixtures.JSON.createObjectNode();
        ArrayNode parts = b.putArray("messages").addObject().put("role", "user").putArray("content");
        parts.addObject().put("type", "text").put("text", "What is in this picture?");
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64,AAAA");
        parts.addObject().put("type", "text").put("text", "Answer briefly.");
        b.putArray("tools").addObject().put("type", "function");
        b.withArray("tools").addObject().put("type", "function");
        b.putObject("response_format").put("type", "json_object");
        RequestFeatures f = fx.extract(b);
        assertEquals(1, f.images());
        assertEquals("What is in this picture?\nAnswer briefly.".length(), f.lastUserChars());
        assertTrue(f.toolsPresent());
        assertEquals(2, f.toolCount());
        assertTrue(f.jsonRequested());
        assertTrue(f.question());
        assertTrue(f.easyMarkers() >= 1);
        assertTrue(fx.extractText("Return the result as JSON please").jsonRequested());
        assertFalse(fx.extractText("Return the result please").jsonRequested());
    }

    @Test
    void mathSignals() {
        RequestFeatures f = fx.extractText("Evaluate \\int_0^1 x^2 dx (it is $\\frac{1}{3}$) and prove that 3x + 2 = 11 "
                + "has one solution.");
        assertTrue(f.latex() >= 2, "latex " + f.latex());
        assertTrue(f.mathWords() >= 1, "math words " + f.mathWords());
        assertTrue(f.equations() >= 2, "equations " + f.equations());
        assertTrue(f.keywordHits("math") >= 1);
        RequestFeatures g = fx.extractText("What is 15% of 240, and what's 17 * 23?");
        assertEquals(4, g.numbers());
        assertTrue(g.equations() >= 2);
        assertEquals(0, fx.extractText("In 1989 the wall fell").numbers(), "years are not numbers to compute with");
    }

    @Test
    void stepsReasoningArchitectureAndPlanningMarkers() {
        RequestFeatures f = fx.extractText("""
                First, explain why the monolith is slow. Then compare sharding versus read replicas and weigh the
                trade-offs. Finally, propose a migration plan with milestones:
                - phase 1: caching layer
                - phase 2: split the write path
                """);
        assertTrue(f.stepMarkers() >= 3, "steps " + f.stepMarkers());
        assertTrue(f.reasoningMarkers() >= 3, "reasoning " + f.reasoningMarkers());
        assertTrue(f.architectureMarkers() >= 4, "architecture " + f.architectureMarkers());
        assertTrue(f.planningMarkers() >= 2, "planning " + f.planningMarkers());
        assertEquals(2, f.enumerationItems());
    }

    @Test
    void conversationDepthUsesTheLastUserMessage() {
        JsonNode b = body("system", "You are helpful.", "user", "Write a sort in Java.", "assistant",
                "```java\nCollections.sort(list);\n```", "user", "thanks! now explain why it is stable");
        RequestFeatures f = fx.extract(b);
        assertEquals(4, f.messages());
        assertEquals(2, f.userTurns());
        assertEquals("thanks! now explain why it is stable", f.queryExcerpt());
        assertTrue(f.contextHasCode());
        assertEquals(0, f.codeFences());
        int total = "You are helpful.".length() + "Write a sort in Java.".length()
                + "```java\nCollections.sort(list);\n```".length() + "thanks! now explain why it is stable".length();
        assertEquals(total, f.totalChars());
        assertEquals((total + 3) / 4, f.estimatedTokens());
    }

    @Test
    void greetingsAndSmallTalk() {
        assertTrue(fx.extractText("hey there!").greeting());
        assertTrue(fx.extractText("Good morning :)").greeting());
        assertTrue(fx.extractText("tell me a joke about penguins").greeting());
        assertFalse(fx.extractText("Explain the CAP theorem").greeting());
        assertTrue(fx.extractText("Write a limerick about my cat").creativeMarkers() >= 1);
        assertTrue(fx.extractText("I'm so nervous about my exam tomorrow").personalMarkers() >= 1);
    }

    @Test
    void longMessagesAreMeasuredFullyAndExcerpted() {
        String doc = "Summarise this report.\n" + "The quarterly numbers were fine. ".repeat(2000) + "\nThe end.";
        RequestFeatures f = fx.extractText(doc);
        assertEquals(doc.length(), f.lastUserChars());
        assertTrue(f.estimatedTokens() > 3000);
        assertTrue(f.queryExcerpt().length() <= FeatureExtractor.EXCERPT_CHARS + 3);
        assertTrue(f.queryExcerpt().startsWith("Summarise this report."));
        assertTrue(f.queryExcerpt().endsWith("The end."));
    }

    @Test
    void toleratesMissingAndOddFields() {
        RequestFeatures empty = fx.extract(null);
        assertEquals(0, empty.totalChars());
        assertEquals(0, empty.messages());
        ObjectNode b = RoutingFixtures.JSON.createObjectNode();
        ArrayNode msgs = b.putArray("messages");
        msgs.addObject().put("role", "assistant").putNull("content");
        msgs.addObject().put("role", "tool").put("content", "42");
        msgs.addObject().put("role", "user").put("content", 17);
        b.put("tools", "not an array");
        RequestFeatures f = fx.extract(b);
        assertEquals(3, f.messages());
        assertEquals(1, f.userTurns());
        assertFalse(f.toolsPresent());
    }

    @Test
    void extractionIsCheap() {
        JsonNode b = body("user", "Write a Python function that merges overlapping intervals like [[1,3],[2,6]] and "
                + "explain its complexity step by step. It must handle empty input and run in O(n log n).");
        for (int i = 0; i < 2_000; i++) {
            fx.extract(b); // warm up
        }
        int n = 20_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            fx.extract(b);
        }
        double micros = (System.nanoTime() - t0) / 1e3 / n;
        System.out.printf("FeatureExtractor: %.1f µs per request%n", micros);
        assertTrue(micros < 1000, "extraction took " + micros + " µs");
    }

    @Test
    void registryKeywordsAreReadForUserServingRolesOnly() {
        Map<String, Integer> hits = fx.extractText("hello").roleKeywordHits();
        assertTrue(hits.keySet().containsAll(List.of("math", "coder", "architect")), hits.toString());
        assertFalse(hits.containsKey("embedder"));
    }
}
