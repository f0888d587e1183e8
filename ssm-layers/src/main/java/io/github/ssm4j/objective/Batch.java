package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.util.Finiteness;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A validated batch as objectives see it when building their feeds: x in the model's dtype, and example
 * weights normalised to sum to one.
 *
 * <p>Stability: public API for writing objectives.
 */
public final class Batch {
    private final ScoreFunction model;
    private final INDArray x;
    private final double[] weights;

    private Batch(ScoreFunction model, INDArray x, double[] weights) {
        this.model = model;
        this.x = x;
        this.weights = weights;
    }

    /** The same model with other rows and each example's weight multiplied by {@code factor} (not renormalised). */
    Batch withX(INDArray other, double[] factor) {
        double[] w = weights.clone();
        for (int i = 0; i < w.length; i++) {
            w[i] *= factor[i];
        }
        return new Batch(model, other, w);
    }

    /**
     * Checks {@code x} against the model (rank, non-batch shape, at least one row, every value finite) and
     * the weights (one per row, finite, non-negative, not all zero); {@code weights == null} means equal.
     */
    static Batch of(ScoreFunction model, INDArray x, INDArray weights) {
        if (x == null) {
            throw new IllegalArgumentException("The batch x is null");
        }
        long[] expected = model.inputShape();
        long[] actual = x.shape();
        boolean shapeOk = actual.length == expected.length;
        for (int i = 1; shapeOk && i < expected.length; i++) {
            shapeOk = actual[i] == expected[i];
        }
        if (!shapeOk) {
            throw new IllegalArgumentException("Batch x has shape " + Arrays.toString(actual) + " but the model input '"
                    + model.input().name() + "' has shape " + Arrays.toString(expected) + " (-1 = any batch size)");
        }
        if (actual[0] == 0) {
            throw new IllegalArgumentException("The batch is empty (shape " + Arrays.toString(actual) + ")");
        }
        if (actual[0] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Batch of " + actual[0] + " rows is too large");
        }
        if (!x.dataType().isFPType()) {
            throw new IllegalArgumentException("Batch x must be floating point, but has dtype " + x.dataType());
        }
        INDArray typed = x.dataType() == model.dataType() ? x : x.castTo(model.dataType());
        requireFinite(typed, "x");
        int n = (int) actual[0];
        return new Batch(model, typed, normalisedWeights(weights, n));
    }

    /** The same model and weights with other rows (already checked and in the model's dtype). */
    Batch withX(INDArray other) {
        return new Batch(model, other, weights);
    }

    public ScoreFunction model() {
        return model;
    }

    /** The batch, in the model's dtype. */
    public INDArray x() {
        return x;
    }

    public int size() {
        return (int) x.size(0);
    }

    public DataType dataType() {
        return model.dataType();
    }

    /** Example weights, normalised to sum to one. */
    public double[] weights() {
        return weights.clone();
    }

    /** {@code a} repeated {@code times} times along dimension 0 (block after block). */
    public static INDArray tile(INDArray a, int times) {
        if (times == 1) {
            return a;
        }
        INDArray[] copies = new INDArray[times];
        Arrays.fill(copies, a);
        return Nd4j.concat(0, copies);
    }

    /**
     * Row weights for {@code repeats} blocks of the batch: row {@code m·N + n} gets
     * {@code weight[n] · factor[n] / repeats}; {@code factor == null} means 1.
     */
    public INDArray rowWeights(int repeats, double[] factor) {
        return rowWeights(repeats, repeats, factor);
    }

    /**
     * Row weights for {@code blocks} blocks of the batch: row {@code m·N + n} gets
     * {@code weight[n] · factor[n] / divisor}; {@code factor == null} means 1.
     */
    public INDArray rowWeights(int blocks, double divisor, double[] factor) {
        int n = size();
        double[] rows = new double[n * blocks];
        for (int m = 0; m < blocks; m++) {
            for (int i = 0; i < n; i++) {
                rows[m * n + i] = weights[i] * (factor == null ? 1.0 : factor[i]) / divisor;
            }
        }
        return RecentRowWeights.array(rows, dataType());
    }

    /**
     * The last few row-weight arrays made, by content: with uniform weights the same array comes back every
     * step, and making it anew costs two small off-heap allocations (each with JavaCPP's memory check). The
     * arrays are only ever read (fed as placeholders).
     */
    private static final class RecentRowWeights {
        private static final int KEEP = 16;
        private static final Map<Key, INDArray> RECENT = new LinkedHashMap<>(KEEP, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, INDArray> eldest) {
                return size() > KEEP;
            }
        };

        private record Key(DataType type, double[] rows) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.type == type && Arrays.equals(k.rows, rows);
            }

            @Override
            public int hashCode() {
                return 31 * type.hashCode() + Arrays.hashCode(rows);
            }
        }

        static synchronized INDArray array(double[] rows, DataType type) {
            return RECENT.computeIfAbsent(new Key(type, rows), k -> Nd4j.createFromArray(rows).castTo(type));
        }
    }

    /** Throws naming the first row of {@code a} that holds a NaN or infinity. */
    static void requireFinite(INDArray a, String what) {
        if (Finiteness.sumIsFinite(a)) {
            return;
        }
        double[][] rows = a.reshape(a.size(0), -1).toDoubleMatrix();
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < rows[r].length; c++) {
                if (!Double.isFinite(rows[r][c])) {
                    throw new IllegalArgumentException(what + " has a non-finite value (" + rows[r][c] + ") in row "
                            + r + " at flat position " + c + "; score matching needs finite inputs");
                }
            }
        }
        // every value finite, only the sum overflowed: fine
    }

    private static double[] normalisedWeights(INDArray weights, int n) {
        double[] w = new double[n];
        if (weights == null) {
            Arrays.fill(w, 1.0 / n);
            return w;
        }
        if (weights.length() != n) {
            throw new IllegalArgumentException("Got " + weights.length() + " example weights for a batch of " + n
                    + " rows; give one weight per row (shape [" + n + "])");
        }
        double[] given = weights.reshape(n).toDoubleVector();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(given[i]) || given[i] < 0) {
                throw new IllegalArgumentException("Example weight " + i + " is " + given[i]
                        + "; weights must be finite and non-negative");
            }
            sum += given[i];
        }
        if (sum == 0) {
            throw new IllegalArgumentException("All " + n + " example weights are zero: nothing to average");
        }
        for (int i = 0; i < n; i++) {
            w[i] = given[i] / sum;
        }
        return w;
    }
}
