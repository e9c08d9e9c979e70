package dev.echelon.fake;

/**
 * How a fake llama-server simulates time and randomness.
 *
 * @param timeScale multiplies every simulated wait (loading, prompt processing, token generation): 1.0 is real time
 *                  as the cost model says, 0.1 runs ten times faster; 0 makes every wait instant
 * @param coldStart the weights come from NVMe (true) or are already staged in host RAM (false)
 * @param seedSalt  mixed into every deterministic choice (text, difficulty jitter, draft acceptance): two salts give
 *                  two different, each reproducible, simulations
 */
public record FakeOptions(double timeScale, boolean coldStart, long seedSalt) {

    public static final FakeOptions DEFAULT = new FakeOptions(1.0, true, 0L);

    public FakeOptions {
        if (!(timeScale >= 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("timeScale must be a finite number >= 0: " + timeScale);
        }
    }

    public FakeOptions withTimeScale(double value) {
        return new FakeOptions(value, coldStart, seedSalt);
    }

    public FakeOptions withColdStart(boolean value) {
        return new FakeOptions(timeScale, value, seedSalt);
    }

    public FakeOptions withSeedSalt(long value) {
        return new FakeOptions(timeScale, coldStart, value);
    }
}
