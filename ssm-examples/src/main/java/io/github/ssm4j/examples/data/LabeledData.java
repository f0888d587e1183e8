package io.github.ssm4j.examples.data;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A loaded or sampled dataset: features {@code [n, d]} (one flattened example a row), an integer class
 * label for each example, the class names, and the shape of one example before flattening
 * ({@code [2]} for toys, {@code [8, 8]} for digits, {@code [28, 28]} for MNIST).
 *
 * <p>Stability: public API.
 */
public final class LabeledData {
    private final String name;
    private final INDArray features;
    private final int[] labels;
    private final List<String> classNames;
    private final long[] exampleShape;

    public LabeledData(String name, INDArray features, int[] labels, List<String> classNames, long[] exampleShape) {
        if (features.rank() != 2 || features.size(0) != labels.length) {
            throw new IllegalArgumentException(name + ": features " + Arrays.toString(features.shape())
                    + " do not match " + labels.length + " labels");
        }
        long prod = 1;
        for (long s : exampleShape) {
            prod *= s;
        }
        if (prod != features.size(1)) {
            throw new IllegalArgumentException(name + ": example shape " + Arrays.toString(exampleShape)
                    + " does not hold " + features.size(1) + " features");
        }
        for (int label : labels) {
            if (label < 0 || label >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + label + " outside [0, " + classNames.size() + ")");
            }
        }
        this.name = name;
        this.features = features;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
        this.exampleShape = exampleShape.clone();
    }

    /** The dataset's registry name, e.g. {@code digits}. */
    public String name() {
        return name;
    }

    /** {@code [n, d]}, one flattened example per row. */
    public INDArray features() {
        return features;
    }

    /** The class of each example (a copy), in {@code [0, numClasses())}. */
    public int[] labels() {
        return labels.clone();
    }

    public int label(int i) {
        return labels[i];
    }

    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** The shape of one example before flattening. */
    public long[] exampleShape() {
        return exampleShape.clone();
    }

    public int size() {
        return labels.length;
    }

    public int dimension() {
        return Math.toIntExact(features.size(1));
    }

    /** Features reshaped to {@code [n, exampleShape...]}, e.g. {@code [n, 28, 28]}. */
    public INDArray shapedFeatures() {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = size();
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return features.reshape(shape);
    }

    /** One-hot labels {@code [n, numClasses()]} in the features' data type. */
    public INDArray oneHotLabels() {
        INDArray out = Nd4j.create(features.dataType(), size(), numClasses());
        for (int i = 0; i < labels.length; i++) {
            out.putScalar(i, labels[i], 1.0);
        }
        return out;
    }

    /** The whole set as one DL4J {@link DataSet} (features, one-hot labels). */
    public DataSet toDataSet() {
        return new DataSet(features, oneHotLabels());
    }

    /** Minibatches in order (no shuffling). */
    public DataSetIterator iterator(int batchSize) {
        return new ArrayDataSetIterator(features, oneHotLabels(), classNames, batchSize, null);
    }

    /** Minibatches, reshuffled each epoch from {@code shuffleSeed} (epoch e uses seed + e). */
    public DataSetIterator iterator(int batchSize, long shuffleSeed) {
        return new ArrayDataSetIterator(features, oneHotLabels(), classNames, batchSize, shuffleSeed);
    }

    /** The same data in another floating-point type. */
    public LabeledData castTo(DataType dataType) {
        return new LabeledData(name, features.castTo(dataType), labels, classNames, exampleShape);
    }

    /** Rows {@code [from, to)}. */
    public LabeledData rows(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of " + size());
        }
        INDArray sub = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
        return new LabeledData(name, sub, Arrays.copyOfRange(labels, from, to), classNames, exampleShape);
    }

    /** The number of examples of each class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return name + ": " + size() + " × " + Arrays.toString(exampleShape) + " " + features.dataType()
                + ", " + numClasses() + " classes";
    }
}
