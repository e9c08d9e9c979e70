package dev.echelon.cost;

/** What serving a request costs in one placement: time to first token and time per output token, in seconds. */
public record ServiceCost(double ttftSeconds, double tpotSeconds) {

    public double totalSeconds(int outputTokens) {
        return ttftSeconds + tpotSeconds * Math.max(0, outputTokens - 1);
    }

    public double decodeTokensPerSecond() {
        return 1.0 / tpotSeconds;
    }
}
