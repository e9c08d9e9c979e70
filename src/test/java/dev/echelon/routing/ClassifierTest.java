package dev.echelon.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierTest {

    final FeatureExtractor fx = FeatureExtractor.fromRegistry(RoutingFixtures.REGISTRY);
    final Classifier classifier = Classifier.fromRegistry(RoutingFixtures.REGISTRY);

    private Classification classify(String text) {
        return classifier.classify(fx.extractText(text));
    }

    @ParameterizedTest(name = "{0} ← {1}")
    @CsvSource(delimiter = '|', value = {
            "chat         | hi there, how are you today?",
            "chat         | thanks!",
            "chat         | Write a short poem for my mum's birthday card",
            "factual      | What is the capital of Canada?",
            "factual      | Who discovered penicillin?",
            "code         | ```js\\nconst x = [1,2,3].map(n => n * 2);\\n```\\nwhy is x not what I expect?",
            "code         | How do I parse JSON in Rust with serde?",
            "code         | My Java build fails with a compile error about generics in this class",
            "math         | Solve 2x + 3 = 7",
            "math         | Compute the integral of x^2 from 0 to 3",
            "math         | What is the probability of rolling two sixes with two dice?",
            "architecture | Design a scalable architecture for a chat service with sharding and message queues",
            "architecture | Should we split our monolith into microservices? We have 30 engineers.",
            "reasoning    | Explain why the argument is flawed, then compare the two positions and weigh their implications",
            "planning     | Plan a roadmap with milestones and a timeline for our Q3 deliverables",
    })
    void clearCases(String expected, String text) {
        Classification c = classify(text.replace("\\n", "\n"));
        assertEquals(expected, c.category(), "scores " + c.scores());
        assertTrue(c.difficulty() >= 0 && c.difficulty() <= 1);
    }

    @Test
    void longRequestsAreLongContext() {
        String doc = "Meeting notes: we discussed the budget and the hiring plan. ".repeat(250);
        assertTrue(doc.length() / 4 > Classifier.DEFAULT_LONG_CONTEXT_TOKENS);
        assertEquals(TaskCategory.LONG_CONTEXT, classify(doc + "\nSummarise the above.").category());
        assertEquals(TaskCategory.LONG_CONTEXT,
                classify("```python\n" + "x = compute(x)\n".repeat(1000) + "```\nreview this").category());
        Classifier small = new Classifier(100, Map.of());
        assertEquals(TaskCategory.LONG_CONTEXT, small.classify(fx.extractText("word ".repeat(120))).category());
        assertThrows(IllegalArgumentException.class, () -> new Classifier(0, Map.of()));
    }

    @Test
    void difficultyGrowsWithLengthStepsConstraintsAndHardness() {
        double easy = classify("Reverse a string in Python, simple version please").difficulty();
        double medium = classify("Write a Python function that merges overlapping intervals and add tests for the "
                + "edge cases; it should run in O(n log n).").difficulty();
        double hard = classify("Implement a lock-free concurrent skip list in C++ from scratch. It must be "
                + "linearizable, handle memory reclamation safely without garbage collection, and be production-ready. "
                + "First explain the invariants, then prove correctness of insert and delete, then analyse the "
                + "amortized complexity, and finally benchmark it against a mutex-based version.").difficulty();
        assertTrue(easy < medium && medium < hard, easy + " < " + medium + " < " + hard);
        assertTrue(easy < 0.3, "easy " + easy);
        assertTrue(hard > 0.6, "hard " + hard);
    }

    @Test
    void toolsJsonAndDepthAddDifficulty() {
        var plain = RoutingFixtures.chat("List three colours");
        var withTools = (com.fasterxml.jackson.databind.node.ObjectNode) plain.deepCopy();
        withTools.putArray("tools").addObject().put("type", "function");
        withTools.putObject("response_format").put("type", "json_object");
        double a = classifier.classify(fx.extract(plain)).difficulty();
        double b = classifier.classify(fx.extract(withTools)).difficulty();
        assertEquals(a + 0.10, b, 1e-9);
    }

    @Test
    void registryKeywordsVoteForTheirRolesCategory() {
        Classifier noKeywords = new Classifier(3000, Map.of());
        RequestFeatures f = fx.extractText("migration of our data model, what are the concerns");
        double with = classifier.scores(f).get(TaskCategory.ARCHITECTURE);
        double without = noKeywords.scores(f).get(TaskCategory.ARCHITECTURE);
        assertEquals(0.5, with - without, 1e-9);
    }

    @Test
    void confidenceIsLowForFallbacks() {
        Classification c = classify("lorem ipsum dolor sit amet consectetur adipiscing elit sed eiusmod tempor incididunt ut labore magna");
        assertEquals(0.0, c.confidence(), 1e-9);
        assertTrue(classify("```python\nimport os\nprint(os.getcwd())\n```").confidence() > 0.5);
    }
}
