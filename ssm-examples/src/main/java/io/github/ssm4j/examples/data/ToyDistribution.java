package io.github.ssm4j.examples.data;

import io.github.ssm4j.sampling.ScoreOracle;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A low-dimensional distribution with a known density p and a reference score ∇ₓ log p, for training
 * and checking score models: exact samples, the (normalised) log-density and the score at any point.
 *
 * <p>Implementations compute in float64 on the JVM heap, point by point ({@link #logDensity(double[])},
 * {@link #score(double[])}); the {@link INDArray} methods loop over the rows of {@code [n, d]} arrays and
 * return their result in the input's data type. Samples come from a {@link SplittableRandom} seeded with
 * the given seed: the same seed gives the same samples, on any machine.
 *
 * <p>Every toy's log-density is normalised (∫p = 1). Whether the score is closed-form or computed
 * numerically, and to what accuracy, is told by {@link #scoreAccuracy()} and each class's documentation.
 *
 * <p>Stability: public API.
 */
public interface ToyDistribution {

    /** The name used on the command line ({@code --dataset}), e.g. {@code two-moons}. */
    String name();

    /** One line for listings: the parameters of this instance. */
    String description();

    /** The dimension d of a point (2 for the toys of the command line). */
    int dimension();

    /**
     * Relative accuracy of {@link #score(double[])} (and of {@link #logDensity(double[])}) against the
     * exact value, in the region where the density is not negligible: about 1e-14 for closed forms, the
     * documented quadrature accuracy for numerically computed ones.
     */
    double scoreAccuracy();

    /** The class names of {@link #sampleLabeled} labels (mixture components, moons, squares). */
    List<String> componentNames();

    /** log p(x) at one point of length {@link #dimension()}, in float64. */
    double logDensity(double[] x);

    /** ∇ₓ log p(x) at one point, in float64. */
    double[] score(double[] x);

    /** Draws one point into {@code out} and returns the component it came from. */
    int sample(SplittableRandom rng, double[] out);

    /**
     * The distribution convolved with N(0, σ²I), i.e. the law of x + σz, with its own exact or numerical
     * score: the reference for noise-conditional (denoising) score models.
     *
     * @throws UnsupportedOperationException where the convolution has no form computed here
     */
    default ToyDistribution perturbed(double sigma) {
        throw new UnsupportedOperationException(name() + " has no noise-perturbed form");
    }

    /** {@code n} samples as a float32 {@code [n, d]} array. */
    default INDArray sample(int n, long seed) {
        return sample(n, seed, DataType.FLOAT);
    }

    /** {@code n} samples as a {@code [n, d]} array of the given floating-point type. */
    default INDArray sample(int n, long seed, DataType dataType) {
        return sampleLabeled(n, seed, dataType).features();
    }

    /** {@code n} samples with the index of the component each came from (see {@link #componentNames()}). */
    default LabeledData sampleLabeled(int n, long seed, DataType dataType) {
        if (n < 0) {
            throw new IllegalArgumentException("Sample size must be >= 0, got " + n);
        }
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("Samples need a floating-point type, got " + dataType);
        }
        int d = dimension();
        SplittableRandom rng = new SplittableRandom(seed);
        double[] flat = new double[n * d];
        int[] labels = new int[n];
        double[] point = new double[d];
        for (int i = 0; i < n; i++) {
            labels[i] = sample(rng, point);
            System.arraycopy(point, 0, flat, i * d, d);
        }
        INDArray features = Nd4j.createFromArray(flat).reshape(n, d).castTo(dataType);
        return new LabeledData(name(), features, labels, componentNames(), new long[] {d});
    }

    /** log p for each row of {@code x} ({@code [n, d]}): shape {@code [n]}, x's data type. */
    default INDArray logDensity(INDArray x) {
        int n = checkBatch(x);
        int d = dimension();
        double[] all = flat(x);
        double[] out = new double[n];
        double[] point = new double[d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, i * d, point, 0, d);
            out[i] = logDensity(point);
        }
        return Nd4j.createFromArray(out).castTo(x.dataType());
    }

    /** ∇ₓ log p for each row of {@code x} ({@code [n, d]}): shape {@code [n, d]}, x's data type. */
    default INDArray score(INDArray x) {
        int n = checkBatch(x);
        int d = dimension();
        double[] all = flat(x);
        double[] out = new double[n * d];
        double[] point = new double[d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, i * d, point, 0, d);
            System.arraycopy(score(point), 0, out, i * d, d);
        }
        return Nd4j.createFromArray(out).reshape(n, d).castTo(x.dataType());
    }

    /** This toy's score as a sampler oracle (σ is ignored): Langevin dynamics on the exact score. */
    default ScoreOracle scoreOracle() {
        return (x, sigma) -> score(x);
    }

    /**
     * A DL4J iterator over {@code n} samples drawn with {@code seed}, in minibatches of {@code batchSize}
     * (features: the points; labels: one-hot component indices), reshuffled each epoch.
     */
    default DataSetIterator iterator(int n, int batchSize, long seed) {
        return sampleLabeled(n, seed, DataType.FLOAT).iterator(batchSize, seed);
    }

    private int checkBatch(INDArray x) {
        if (x.rank() != 2 || x.size(1) != dimension()) {
            throw new IllegalArgumentException(name() + ": expected points of shape [n, " + dimension()
                    + "], got " + java.util.Arrays.toString(x.shape()));
        }
        return Math.toIntExact(x.size(0));
    }

    private static double[] flat(INDArray x) {
        return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
