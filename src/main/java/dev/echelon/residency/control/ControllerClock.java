package dev.echelon.residency.control;

/**
 * The residency controller's clock: seconds since the controller started, running {@code speed} times as fast as the
 * wall clock. In mock mode the fake servers compress every duration by the time scale (loading, token pacing), so
 * the controller's clock runs {@code 1 / timeScale} times as fast: forecasts, dwell times and horizons then see the
 * same world, in the same proportions, as with real servers. With real servers it is the wall clock.
 */
public final class ControllerClock {

    private final long startNanos;
    private final double speed;

    private ControllerClock(double speed) {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("clock speed must be a positive finite number: " + speed);
        }
        this.speed = speed;
        this.startNanos = System.nanoTime();
    }

    public static ControllerClock wall() {
        return new ControllerClock(1.0);
    }

    /** For mock mode with time scale {@code timeScale}; 0 (instant fakes) falls back to the wall clock. */
    public static ControllerClock forTimeScale(double timeScale) {
        return timeScale > 0 ? new ControllerClock(1.0 / timeScale) : wall();
    }

    public double nowSeconds() {
        return (System.nanoTime() - startNanos) / 1e9 * speed;
    }

    /** Controller seconds per wall second. */
    public double speed() {
        return speed;
    }

    /** A wall-clock duration in controller milliseconds. */
    public double controllerMs(long wallNanos) {
        return wallNanos / 1e6 * speed;
    }
}
