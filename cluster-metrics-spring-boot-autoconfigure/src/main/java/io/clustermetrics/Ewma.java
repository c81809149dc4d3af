package io.clustermetrics;

/**
 * Exponentially weighted moving average: {@code value = alpha * sample + (1 - alpha) * value}.
 *
 * <p>A larger {@code alpha} follows new samples more aggressively. Not thread-safe.
 */
public final class Ewma {

    private final double alpha;
    private double value;

    /**
     * @param initial the starting value
     * @param alpha the smoothing factor, within (0, 1]
     * @throws IllegalArgumentException if {@code alpha} is outside (0, 1] or NaN
     */
    public Ewma(double initial, double alpha) {
        if (!(alpha > 0.0 && alpha <= 1.0)) {
            throw new IllegalArgumentException("alpha must be in (0.0, 1.0], was " + alpha);
        }
        this.alpha = alpha;
        this.value = initial;
    }

    /**
     * An average in which a sample's weight halves every {@code halfLifeSamples} samples:
     * {@code alpha = 1 - 2^(-1 / halfLifeSamples)}. With a fixed sample interval, pass
     * {@code halfLife / interval}.
     *
     * @throws IllegalArgumentException if {@code halfLifeSamples} is not a positive finite number
     */
    public static Ewma fromHalfLife(double initial, double halfLifeSamples) {
        if (!(halfLifeSamples > 0.0 && Double.isFinite(halfLifeSamples))) {
            throw new IllegalArgumentException("half-life must be a positive finite number, was " + halfLifeSamples);
        }
        return new Ewma(initial, 1.0 - Math.pow(2.0, -1.0 / halfLifeSamples));
    }

    /** Folds {@code sample} into the average and returns the new value. */
    public double update(double sample) {
        value = alpha * sample + (1.0 - alpha) * value;
        return value;
    }

    /** The current smoothed value. */
    public double value() {
        return value;
    }

    /** The smoothing factor. */
    public double alpha() {
        return alpha;
    }
}
