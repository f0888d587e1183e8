package io.github.ssm4j.dl4j.loss;

import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.util.Finiteness;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.annotation.JsonTypeInfo;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Turns a batch of examples x [N, ...] into the paired batch that {@link LossFdSsm} scores: features
 * [x + εv; x − εv] (2N rows, the first N shifted forward along v, the last N backward) and labels [v; v],
 * with one projection v per example drawn from a {@link Projection} distribution by a seeded generator.
 * Set it on the training iterator ({@code iterator.setPreProcessor(p)}) and fit as usual.
 *
 * <p>Labels are shaped like x — what a score network's output has — so DL4J's label checks pass for an
 * {@code OutputLayer}/{@code LossLayer} on [N, D] data and a {@code CnnLossLayer} on images; a network that
 * flattens its output to [N, D] takes {@link Builder#flattenLabels}. Any labels the batch carried are
 * replaced: score matching needs none.
 *
 * <p>Reproducible: the k-th batch processed after construction (or {@link #reset}) always gets the same v
 * for the same seed and batch shape. The generator is part of the preprocessor, so use one preprocessor per
 * iterator; processing is synchronized, for iterators that prefetch on another thread. Each batch must be
 * processed once: an iterator that hands out the same {@code DataSet} object again would have it paired
 * twice (DL4J marks processed sets; its list-backed iterators merge fresh ones).
 *
 * <p>Batches with masks are rejected (FD-SSM pairs whole examples, and masked time steps of a sequence
 * would be perturbed like real ones). Features that are not finite are rejected, naming the first bad row.
 *
 * <p>JSON: {@link #toJson} / {@link #fromJson} (with {@code @class}, as DL4J configurations), and Java
 * serialisation as every {@link DataSetPreProcessor}; both keep the configuration, and the copy starts the
 * sequence of draws afresh.
 *
 * <p>Stability: public API.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, include = JsonTypeInfo.As.PROPERTY, property = "@class")
public class FdSsmPreProcessor implements DataSetPreProcessor {
    private static final long serialVersionUID = 1L;

    @JsonProperty("epsilon")
    private final double epsilon;
    @JsonProperty("projection")
    private final Projection projection;
    @JsonProperty("seed")
    private final long seed;
    @JsonProperty("flattenLabels")
    private final boolean flattenLabels;
    private transient SplittableRandom rng;

    /**
     * @param epsilon the step ε &gt; 0, the same as the loss's
     * @param projection distribution of v (E[vvᵀ] = I except for the unit sphere, see {@link Projection})
     * @param seed seed of the generator of v
     * @param flattenLabels labels [2N, D] instead of shaped like x
     */
    @JsonCreator
    public FdSsmPreProcessor(@JsonProperty("epsilon") double epsilon,
                             @JsonProperty("projection") Projection projection,
                             @JsonProperty("seed") long seed,
                             @JsonProperty("flattenLabels") boolean flattenLabels) {
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("The finite-difference step ε must be positive and finite, got "
                    + epsilon);
        }
        if (projection == null) {
            throw new IllegalArgumentException("FdSsmPreProcessor needs a projection distribution");
        }
        this.epsilon = epsilon;
        this.projection = projection;
        this.seed = seed;
        this.flattenLabels = flattenLabels;
    }

    public static Builder builder() {
        return new Builder();
    }

    public double getEpsilon() {
        return epsilon;
    }

    public Projection getProjection() {
        return projection;
    }

    public long getSeed() {
        return seed;
    }

    public boolean isFlattenLabels() {
        return flattenLabels;
    }

    /** Replaces the batch's features by [x + εv; x − εv] and its labels by [v; v], drawing fresh v. */
    @Override
    public void preProcess(DataSet batch) {
        INDArray x = batch.getFeatures();
        if (batch.getFeaturesMaskArray() != null || batch.getLabelsMaskArray() != null) {
            throw new IllegalArgumentException("FdSsmPreProcessor cannot pair a batch with masks: FD-SSM perturbs "
                    + "whole examples. Remove the features and labels masks");
        }
        requireExamples(x);
        INDArray[] paired = paired(x, drawProjections(x.size(0), x.shape(), floatingType(x)));
        batch.setFeatures(paired[0]);
        batch.setLabels(paired[1]);
    }

    /**
     * The paired features and labels for given projections, without drawing: {features, labels}. For tests and
     * for callers that manage v themselves.
     *
     * @param x examples [N, ...]
     * @param v projections shaped like x
     */
    public INDArray[] pair(INDArray x, INDArray v) {
        requireExamples(x);
        if (v == null || !Arrays.equals(v.shape(), x.shape())) {
            throw new IllegalArgumentException("The projections v must be shaped like x " + Arrays.toString(x.shape())
                    + ", got " + (v == null ? "none" : Arrays.toString(v.shape())));
        }
        return paired(x, v);
    }

    private INDArray[] paired(INDArray x, INDArray v) {
        DataType type = floatingType(x);
        INDArray xs = x.castTo(type);
        INDArray step = v.castTo(type).mul(epsilon);
        INDArray features = Nd4j.concat(0, xs.add(step), xs.sub(step));
        INDArray labels = Nd4j.concat(0, v.castTo(type), v.castTo(type));
        if (flattenLabels) {
            labels = labels.reshape('c', labels.size(0), labels.length() / labels.size(0));
        }
        return new INDArray[] {features, labels};
    }

    /** Draws one projection per example, {@code shape} with {@code shape[0] = n}, from this generator. */
    public synchronized INDArray drawProjections(long n, long[] shape, DataType type) {
        if (rng == null) {
            rng = new SplittableRandom(seed);
        }
        long total = 1;
        for (long s : shape) {
            total *= s;
        }
        int d = Math.toIntExact(total / n);
        double[] values = new double[Math.toIntExact(total)];
        projection.sample(rng, values, d);
        return Nd4j.create(values, shape.clone()).castTo(type);
    }

    /** Restarts the sequence of draws from the seed. */
    public synchronized void reset() {
        rng = null;
    }

    /** This configuration as JSON, with {@code @class}. */
    public String toJson() {
        try {
            return new ObjectMapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + this + " as JSON", e);
        }
    }

    /** Reads a configuration written by {@link #toJson}. */
    public static FdSsmPreProcessor fromJson(String json) {
        try {
            return new ObjectMapper().readValue(json, FdSsmPreProcessor.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not an FdSsmPreProcessor configuration: " + e.getMessage(), e);
        }
    }

    private static void requireExamples(INDArray x) {
        if (x == null || x.rank() < 2 || x.size(0) == 0 || x.length() == 0) {
            throw new IllegalArgumentException("FdSsmPreProcessor needs features [N, ...] with N ≥ 1 examples and at "
                    + "least one value each, got " + (x == null ? "none" : Arrays.toString(x.shape())));
        }
        if (Finiteness.sumIsFinite(x)) {
            return;
        }
        double[][] rows = x.reshape(x.size(0), x.length() / x.size(0)).castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int r = 0; r < rows.length; r++) {
            for (double value : rows[r]) {
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException("FdSsmPreProcessor needs finite features, but example " + r
                            + " has the value " + value);
                }
            }
        }
    }

    private static DataType floatingType(INDArray x) {
        return x.dataType().isFPType() ? x.dataType() : Nd4j.defaultFloatingPointType();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FdSsmPreProcessor p && Double.compare(epsilon, p.epsilon) == 0
                && projection == p.projection && seed == p.seed && flattenLabels == p.flattenLabels;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {epsilon, projection, seed, flattenLabels});
    }

    @Override
    public String toString() {
        return "FdSsmPreProcessor(epsilon=" + epsilon + ", projection=" + projection + ", seed=" + seed
                + (flattenLabels ? ", flattenLabels" : "") + ")";
    }

    /**
     * Builder: {@code FdSsmPreProcessor.builder().forLoss(loss).projection(Projection.RADEMACHER).seed(42).build()}.
     */
    public static final class Builder {
        private double epsilon = LossFdSsm.DEFAULT_EPSILON;
        private Projection projection = Projection.RADEMACHER;
        private long seed;
        private boolean flattenLabels;
        private LossFdSsm loss;

        private Builder() {
        }

        /** ε (default {@value LossFdSsm#DEFAULT_EPSILON}); {@link #forLoss} sets it from the loss. */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            this.loss = null;
            return this;
        }

        /**
         * Takes ε from the loss it feeds, and lets {@link #build} check that the projection suits the loss's
         * form (the variance-reduced form needs E[vvᵀ] = I, so not the unit sphere).
         */
        public Builder forLoss(LossFdSsm loss) {
            this.loss = loss;
            this.epsilon = loss.getEpsilon();
            return this;
        }

        /** Distribution of v (default RADEMACHER, the lowest-variance choice for the variance-reduced form). */
        public Builder projection(Projection projection) {
            this.projection = projection;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Labels [2N, D] for a network whose output flattens the example (default: labels shaped like x). */
        public Builder flattenLabels(boolean flattenLabels) {
            this.flattenLabels = flattenLabels;
            return this;
        }

        public FdSsmPreProcessor build() {
            if (loss != null && loss.isVarianceReduced() && projection == Projection.UNIT_SPHERE) {
                throw new IllegalArgumentException("The variance-reduced FD-SSM loss needs E[vvᵀ] = I; the unit "
                        + "sphere has I/D. Use RADEMACHER, GAUSSIAN or SCALED_SPHERE, or the standard form");
            }
            return new FdSsmPreProcessor(epsilon, projection, seed, flattenLabels);
        }
    }
}
