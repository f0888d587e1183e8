package io.github.ssm4j.examples.data;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * How to load a dataset through {@link Datasets}: how many points to draw from a toy and with which seed,
 * the floating-point type of the features, and whether to skip each real dataset's default scaling
 * (digits /16, breast-cancer standardised, MNIST and Fashion-MNIST /255).
 *
 * @param toySamples the number of points drawn from a toy distribution (ignored by real datasets)
 * @param seed the seed of a toy's sampler (ignored by real datasets)
 * @param dataType the features' type (FLOAT, DOUBLE, HALF...)
 * @param raw true for unscaled features
 *
 * <p>Stability: public API.
 */
public record LoadOptions(int toySamples, long seed, DataType dataType, boolean raw) {

    public LoadOptions {
        if (toySamples < 0) {
            throw new IllegalArgumentException("toySamples must be >= 0, got " + toySamples);
        }
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("Features need a floating-point type, got " + dataType);
        }
    }

    /** 10 000 toy points, seed 0, float32, scaled. */
    public static LoadOptions defaults() {
        return new LoadOptions(10_000, 0L, DataType.FLOAT, false);
    }

    public LoadOptions withToySamples(int n) {
        return new LoadOptions(n, seed, dataType, raw);
    }

    public LoadOptions withSeed(long s) {
        return new LoadOptions(toySamples, s, dataType, raw);
    }

    public LoadOptions withDataType(DataType t) {
        return new LoadOptions(toySamples, seed, t, raw);
    }

    public LoadOptions withRaw(boolean r) {
        return new LoadOptions(toySamples, seed, dataType, r);
    }
}
