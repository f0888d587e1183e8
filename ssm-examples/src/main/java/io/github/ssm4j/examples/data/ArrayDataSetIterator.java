package io.github.ssm4j.examples.data;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of in-memory features and labels, optionally reshuffled each epoch from a seed (epoch e
 * after e {@link #reset()}s uses the permutation of seed + e). The last batch may be smaller. Supports
 * reset and a {@link DataSetPreProcessor} (applied to each batch).
 *
 * <p>Stability: public API.
 */
public final class ArrayDataSetIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;

    private final transient INDArray features;
    private final transient INDArray labels;
    private final List<String> labelNames;
    private final int batchSize;
    private final Long shuffleSeed;
    private final int[] order;
    private int epoch;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    /**
     * @param features {@code [n, d]}
     * @param labels {@code [n, k]}, the same n
     * @param shuffleSeed null for the stored order
     */
    public ArrayDataSetIterator(INDArray features, INDArray labels, List<String> labelNames, int batchSize,
            Long shuffleSeed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("Batch size must be positive, got " + batchSize);
        }
        if (features.rank() != 2 || labels.rank() != 2) {
            throw new IllegalArgumentException("features and labels must be matrices [n, d], got ranks "
                    + features.rank() + " and " + labels.rank());
        }
        if (features.size(0) != labels.size(0)) {
            throw new IllegalArgumentException("features have " + features.size(0) + " rows, labels "
                    + labels.size(0));
        }
        this.features = features;
        this.labels = labels;
        this.labelNames = List.copyOf(labelNames);
        this.batchSize = batchSize;
        this.shuffleSeed = shuffleSeed;
        this.order = new int[Math.toIntExact(features.size(0))];
        arrange();
    }

    private void arrange() {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffleSeed != null) {
            SplittableRandom rng = new SplittableRandom(shuffleSeed + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        cursor = 0;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int to = Math.min(order.length, cursor + num);
        DataSet batch;
        if (shuffleSeed == null) {
            batch = new DataSet(rows(features, cursor, to), rows(labels, cursor, to));
        } else {
            int[] idx = java.util.Arrays.copyOfRange(order, cursor, to);
            batch = new DataSet(Nd4j.pullRows(features, 1, idx), Nd4j.pullRows(labels, 1, idx));
        }
        cursor = to;
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    private static INDArray rows(INDArray a, int from, int to) {
        return a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public int inputColumns() {
        return (int) features.size(1);
    }

    @Override
    public int totalOutcomes() {
        return (int) labels.size(1);
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    /** Starts the next epoch (with the next permutation when shuffling). */
    @Override
    public void reset() {
        epoch++;
        arrange();
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return labelNames;
    }
}
