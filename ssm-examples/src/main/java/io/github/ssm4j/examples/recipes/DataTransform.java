package io.github.ssm4j.examples.recipes;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A bijection from a dataset's features x to what a recipe's network is trained on, y = T(x) (possibly with
 * fresh randomness such as dequantisation noise), with the log-determinant of its Jacobian so that an exact
 * likelihood of y can be reported as one of x: log p(x) = log p(y) + log |det ∂y/∂x|.
 */
public interface DataTransform {
    /** The identity: the network sees the features as they are. */
    DataTransform IDENTITY = new DataTransform() {
        @Override
        public INDArray apply(INDArray features, long seed) {
            return features;
        }

        @Override
        public double[] logDeterminant(INDArray transformed) {
            return new double[Math.toIntExact(transformed.size(0))];
        }

        @Override
        public INDArray invert(INDArray transformed) {
            return transformed;
        }

        @Override
        public double levelsPerDimension() {
            return Double.NaN;
        }

        @Override
        public String description() {
            return "none";
        }
    };

    /** y = T(x) for rows x [N, D], drawing any randomness from {@code seed}. */
    INDArray apply(INDArray features, long seed);

    /** log |det ∂y/∂x| per row, from y [N, D]. */
    double[] logDeterminant(INDArray transformed);

    /** x from y (for pictures). */
    INDArray invert(INDArray transformed);

    /**
     * For dequantised data, the number of grey levels L per value (the density of x on (0, 1)^D becomes one on
     * [0, L]^D for bits per dimension); NaN for continuous data.
     */
    double levelsPerDimension();

    /** One line for summaries. */
    String description();
}
