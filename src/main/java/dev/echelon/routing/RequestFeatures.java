package dev.echelon.routing;

import java.util.List;
import java.util.Map;

/**
 * What a chat request looks like from the outside: sizes, code and math signals, reasoning and planning markers,
 * per-role keyword hits, tool use. Every field is observable in the request; nothing here knows how good any model
 * is. Built by {@link FeatureExtractor}; counts are occurrences in the analysed text (the last user message, capped
 * at {@link FeatureExtractor#ANALYSED_CHARS} characters) unless a field says otherwise; the difficulty markers
 * (steps, enumeration, constraints, hard, easy) are read from the instruction part only (the whole message up to
 * {@link FeatureExtractor#INSTRUCTION_CHARS}, else its head and tail).
 *
 * @param totalChars          characters of text content across all messages
 * @param estimatedTokens     {@code totalChars / 4}, rounded up (a tokenizer-free estimate)
 * @param lastUserChars       characters of the last user message
 * @param lastUserWords       whitespace-separated words of the last user message
 * @param messages            number of messages
 * @param userTurns           number of user messages (conversation depth)
 * @param codeFences          fenced code blocks (```) in the last user message
 * @param codeLanguages       languages named by fence tags or mentioned (python, java, sql, …), distinct, lower case
 * @param codeLines           lines that look like code (statements, braces, imports, stack-trace frames)
 * @param inlineCode          inline code spans (`…`)
 * @param codeWords           programming vocabulary in prose (function, bug, compile, regex, unit test, …)
 * @param contextHasCode      an earlier message (any role) holds a code fence or code-like lines
 * @param mathWords           mathematical vocabulary (integral, derivative, prove, equation, probability, …)
 * @param latex               LaTeX commands and {@code $…$} spans
 * @param equations           arithmetic or algebraic expressions ({@code 3x + 2 = 11}, {@code 17 * 23}, {@code x^2})
 * @param digits              digit characters
 * @param numbers             numbers (digit runs such as 17, 3.5, 5,000), years 1500–2099 excluded
 * @param stepMarkers         multi-step markers (step by step, first … then, finally, …)
 * @param reasoningMarkers    explain, why, compare, trade-off, pros and cons, what if, …
 * @param architectureMarkers system-design vocabulary (architecture, scalability, microservice, sharding, …)
 * @param planningMarkers     plan, roadmap, milestones, rollout, timeline, …
 * @param enumerationItems    list items (lines starting with -, *, 1., a) …)
 * @param constraintMarkers   must, without, at most, exactly, edge cases, O(…), …
 * @param hardMarkers         words that signal a demanding task (rigorous, optimal, concurrency, from scratch, …)
 * @param easyMarkers         words that signal a light task (simple, briefly, one sentence, for a beginner, …)
 * @param question            the last user message asks a question (ends with or contains '?', or opens with a
 *                            question word)
 * @param lookupQuestion      a question that opens like a look-up (what, who, when, where, which, how many, define,
 *                            is …)
 * @param greeting            greeting or small talk (hi, thanks, how are you, tell me a joke, …)
 * @param creativeMarkers     requests for creative or playful writing (write a poem / toast / story, role-play,
 *                            pretend, …)
 * @param personalMarkers     personal and emotional language (I feel, nervous, my partner, cheer me up, …)
 * @param roleKeywordHits     per role: distinct registry routing keywords found (case-insensitive, word boundary)
 * @param toolsPresent        the request offers tools (or legacy functions)
 * @param toolCount           how many
 * @param jsonRequested       {@code response_format} asks for JSON, or the text asks for JSON output
 * @param images              image content parts
 * @param queryExcerpt        the text used for nearest-neighbour lookup: the last user message, or its head and tail
 *                            when long
 */
public record RequestFeatures(int totalChars, int estimatedTokens, int lastUserChars, int lastUserWords, int messages,
        int userTurns, int codeFences, List<String> codeLanguages, int codeLines, int inlineCode,
        int codeWords, boolean contextHasCode, int mathWords, int latex, int equations, int digits, int numbers,
        int stepMarkers,
        int reasoningMarkers, int architectureMarkers, int planningMarkers, int enumerationItems,
        int constraintMarkers, int hardMarkers, int easyMarkers, boolean question, boolean lookupQuestion,
        boolean greeting,
        int creativeMarkers, int personalMarkers, Map<String, Integer> roleKeywordHits, boolean toolsPresent, int toolCount, boolean jsonRequested, int images,
        String queryExcerpt) {

    public RequestFeatures {
        codeLanguages = List.copyOf(codeLanguages);
        roleKeywordHits = Map.copyOf(roleKeywordHits);
    }

    /** Distinct routing keywords of {@code role} found in the request (0 when none or unknown role). */
    public int keywordHits(String role) {
        return roleKeywordHits.getOrDefault(role, 0);
    }
}
