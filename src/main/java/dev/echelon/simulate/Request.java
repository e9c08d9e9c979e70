package dev.echelon.simulate;

/**
 * One request of a trace: when it arrives, which role the router sent it to, and its size.
 *
 * @param id            position in the trace (0-based, by arrival)
 * @param arrivalSeconds seconds since the trace's start
 */
public record Request(int id, double arrivalSeconds, String role, int promptTokens, int outputTokens) {

    public Request {
        if (arrivalSeconds < 0 || promptTokens < 1 || outputTokens < 1) {
            throw new IllegalArgumentException("bad request: " + arrivalSeconds + " s, " + promptTokens + " prompt, "
                    + outputTokens + " output tokens");
        }
    }
}
