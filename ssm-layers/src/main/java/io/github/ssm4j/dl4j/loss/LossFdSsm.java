package io.github.ssm4j.dl4j.loss;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Finite-difference sliced score matching (Pang, Xu, Li, Song, Ermon and Zhu, "Efficient Learning of
 * Generative Models via Finite-Difference Score Matching", NeurIPS 2020) as a DL4J loss function, so that a
 * score network trains with plain {@code net.fit(iterator)}: no JVP, no second-order derivative, only the
 * network's own forward pass and DL4J's backprop.
 *
 * <p>It is the score-network form of {@link io.github.ssm4j.objective.FiniteDifferenceSsm}: for each example
 * x with projection v, from s₊ = s(x + εv) and s₋ = s(x − εv),
 * <pre>
 *   ℓ = ½(vᵀs̄)² + (vᵀs₊ − vᵀs₋)/(2ε)         (standard form)
 *   ℓ = ½‖s̄‖²   + (vᵀs₊ − vᵀs₋)/(2ε)         (variance-reduced form, the default)
 * </pre>
 * with s̄ = (s₊ + s₋)/2. The central difference estimates the curvature vᵀ(∇ₓs)v, so ℓ is SSM (resp. SSM-VR)
 * with the same v up to a bias of O(ε²); it is exact when s is quadratic or less along v (a linear score).
 *
 * <h2>What the network and the data must look like</h2>
 * <ul>
 *   <li>A <b>score network</b>: the output layer's activations are s(x), shaped like x — e.g. an
 *       {@code OutputLayer} or {@code LossLayer} with identity activation and nOut = D for x of shape [N, D],
 *       or a {@code CnnLossLayer} for images. Energy models (one scalar per example) cannot use this loss.</li>
 *   <li>Batches come from {@link FdSsmPreProcessor}: features [x + εv; x − εv] (2N rows), labels [v; v]
 *       shaped like the output. The preprocessor's ε must equal this loss's ε
 *       ({@link FdSsmPreProcessor.Builder#forLoss}).</li>
 * </ul>
 *
 * <h2>Scale: what DL4J reports</h2>
 * DL4J divides the loss of a batch by its number of rows (2N here) and its gradients likewise. So that the
 * reported score is the FD-SSM objective averaged over the N original examples, each pair's ℓ is
 * attributed to <b>both</b> of its rows: {@link #computeScoreArray} holds ℓᵢ in row i and in row N + i,
 * the unaveraged score is 2·Σℓᵢ, the averaged one (and {@code net.score()}) Σℓᵢ/N, and
 * {@link #computeGradient} returns the gradient of 2·Σℓᵢ. (With {@code miniBatch(false)} an
 * {@code OutputLayer} does not divide, and reports 2·Σℓᵢ.)
 *
 * <h2>Images and sequences</h2>
 * {@code CnnLossLayer} hands the loss one row per pixel, example-major ({@code RnnLossLayer} one per time
 * step, likewise; untested), so rows r and r + (rows/2) are still the two members of one pair. The variance-reduced ½‖s̄‖²
 * and the curvature are sums over positions, so the variance-reduced form is exactly FD-SSM-VR there. The
 * standard form's ½(vᵀs̄)² is not such a sum: per-position rows give Σₚ ½(vₚᵀs̄ₚ)², slicing each position
 * separately. That has the same mean for RADEMACHER and GAUSSIAN projections (E[vₚvₚᵀ] = I) but is not the
 * sliced term of the paper; use the variance-reduced form with those layers.
 *
 * <h2>Accuracy</h2>
 * Approximate by construction: O(ε²) bias for smooth networks, and rounding error of order
 * (unit roundoff)·‖s‖/ε from the difference of two nearly equal outputs. In float32 (unit roundoff 6e-8)
 * keep ε near 1e-2, the default; float64 allows 1e-4.
 *
 * <h2>Masks</h2>
 * A per-example mask (a column [2N, 1], equal for the two rows of each pair) weights each pair's ℓ; as with
 * DL4J's losses, the division is still by the number of rows. A per-output mask is rejected: the terms couple
 * every output of an example.
 *
 * <p>DL4J 1.0.0-M2.1's {@code CnnLossLayer} in NHWC reports a score inconsistent with its gradient (a DL4J
 * bug, seen with MSE); use NCHW for the loss layer.
 *
 * <p>Stability: public API.
 */
public class LossFdSsm implements ILossFunction {
    private static final long serialVersionUID = 1L;

    /** The default finite-difference step, chosen for float32 networks. */
    public static final double DEFAULT_EPSILON = 1e-2;

    @JsonProperty("epsilon")
    private final double epsilon;
    @JsonProperty("varianceReduced")
    private final boolean varianceReduced;

    /** The variance-reduced form with ε = {@value #DEFAULT_EPSILON}. */
    public LossFdSsm() {
        this(DEFAULT_EPSILON, true);
    }

    /**
     * @param epsilon the step ε &gt; 0 along v; must equal the preprocessor's
     * @param varianceReduced ½‖s̄‖² instead of ½(vᵀs̄)²
     */
    @JsonCreator
    public LossFdSsm(@JsonProperty("epsilon") double epsilon,
                     @JsonProperty("varianceReduced") boolean varianceReduced) {
        if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
            throw new IllegalArgumentException("The finite-difference step ε must be positive and finite, got "
                    + epsilon);
        }
        this.epsilon = epsilon;
        this.varianceReduced = varianceReduced;
    }

    public static Builder builder() {
        return new Builder();
    }

    public double getEpsilon() {
        return epsilon;
    }

    public boolean isVarianceReduced() {
        return varianceReduced;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        INDArray rows = computeScoreArray(labels, preOutput, activationFn, mask);
        double score = rows.sumNumber().doubleValue();
        return average ? score / rows.size(0) : score;
    }

    /** ℓ of each pair, in both of its rows: shape [2N, 1]. */
    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Pairs p = Pairs.of(labels, preOutput, activationFn, mask);
        INDArray curvature = p.plus.mul(p.v).sum(true, 1).subi(p.minus.mul(p.v).sum(true, 1)).divi(2 * epsilon);
        INDArray first;
        if (varianceReduced) {
            INDArray mean = p.plus.add(p.minus).muli(0.5);
            first = mean.muli(mean).sum(true, 1).muli(0.5);
        } else {
            INDArray projected = p.projectedMean();
            first = projected.muli(projected).muli(0.5);
        }
        INDArray perPair = first.addi(curvature);
        if (p.weights != null) {
            perPair.muli(p.weights);
        }
        return Nd4j.concat(0, perPair, perPair);
    }

    /** dL/dz for the unaveraged score L = 2·Σℓ, through the output activation. */
    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Pairs p = Pairs.of(labels, preOutput, activationFn, mask);
        INDArray slope = p.v.div(epsilon);                     // 2·∂/∂s± of (vᵀs₊ − vᵀs₋)/(2ε) = ±v/ε
        INDArray first;                                         // 2·∂/∂s± of the first term, equal for s₊ and s₋
        if (varianceReduced) {
            first = p.plus.add(p.minus).muli(0.5);              // s̄
        } else {
            first = p.v.mulColumnVector(p.projectedMean());     // (vᵀs̄)·v
        }
        INDArray top = first.add(slope);
        INDArray bottom = first.sub(slope);
        if (p.weights != null) {
            top.muliColumnVector(p.weights);
            bottom.muliColumnVector(p.weights);
        }
        INDArray dLdOutput = Nd4j.concat(0, top, bottom);
        return activationFn.backprop(preOutput.dup(), dLdOutput).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                          IActivation activationFn, INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public String toString() {
        return "LossFdSsm(epsilon=" + epsilon + ", varianceReduced=" + varianceReduced + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossFdSsm l && Double.compare(epsilon, l.epsilon) == 0
                && varianceReduced == l.varianceReduced;
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(epsilon) + Boolean.hashCode(varianceReduced);
    }

    /** The two halves of a batch: s₊, s₋ and v, each [N, D], and per-pair weights [N, 1] or null. */
    private record Pairs(INDArray plus, INDArray minus, INDArray v, INDArray weights) {

        /** vᵀs̄ per pair, [N, 1]. */
        INDArray projectedMean() {
            return plus.add(minus).muli(v).sum(true, 1).muli(0.5);
        }

        static Pairs of(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
            long rows = checkShapes(labels, preOutput);
            long n = rows / 2;
            INDArray output = activationFn.getActivation(preOutput.dup(), true);
            INDArray v = labels.castTo(output.dataType());
            INDArray vTop = v.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
            INDArray vBottom = v.get(NDArrayIndex.interval(n, rows), NDArrayIndex.all());
            if (!vTop.equals(vBottom)) {
                throw new IllegalArgumentException("LossFdSsm needs labels [v; v]: the same projection v for row i "
                        + "(x + εv) and row N + i (x − εv), but the two halves of the labels differ. The labels of an "
                        + "FD-SSM batch are written by FdSsmPreProcessor; ordinary targets cannot be used");
            }
            return new Pairs(output.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()),
                    output.get(NDArrayIndex.interval(n, rows), NDArrayIndex.all()),
                    vTop, pairWeights(mask, rows, output));
        }

        private static long checkShapes(INDArray labels, INDArray preOutput) {
            if (preOutput.rank() != 2) {
                throw new IllegalArgumentException("LossFdSsm expects the 2-d activations [rows, outputs] that DL4J's "
                        + "output layers pass to a loss, got shape " + Arrays.toString(preOutput.shape()));
            }
            long rows = preOutput.size(0);
            if (rows == 0 || rows % 2 != 0) {
                throw new IllegalArgumentException("LossFdSsm needs an even, positive number of rows, the 2N rows "
                        + "[x + εv; x − εv] that FdSsmPreProcessor makes from N examples, but got " + rows
                        + " rows. Set an FdSsmPreProcessor on the iterator (or pair batches with "
                        + "FdSsmPreProcessor.preProcess) before fitting");
            }
            if (labels == null || !Arrays.equals(labels.shape(), preOutput.shape())) {
                throw new IllegalArgumentException("LossFdSsm needs labels carrying the projections v, shaped like the "
                        + "network output " + Arrays.toString(preOutput.shape()) + ", but got "
                        + (labels == null ? "no labels" : "labels of shape " + Arrays.toString(labels.shape()))
                        + ". Is the output layer a score network (its output shaped like x), and the batch from "
                        + "FdSsmPreProcessor?");
            }
            return rows;
        }

        private static INDArray pairWeights(INDArray mask, long rows, INDArray output) {
            if (mask == null) {
                return null;
            }
            boolean perExample = mask.length() == rows && (mask.rank() == 1 || (mask.rank() == 2 && mask.size(1) == 1));
            if (!perExample) {
                throw new IllegalArgumentException("LossFdSsm accepts only a per-example mask, a column of " + rows
                        + " rows, but got shape " + Arrays.toString(mask.shape()) + ". The FD-SSM terms couple every "
                        + "output of an example, so a per-output mask has no meaning");
            }
            INDArray column = mask.reshape(rows, 1).castTo(output.dataType());
            INDArray top = column.get(NDArrayIndex.interval(0, rows / 2), NDArrayIndex.all());
            if (!top.equals(column.get(NDArrayIndex.interval(rows / 2, rows), NDArrayIndex.all()))) {
                throw new IllegalArgumentException("LossFdSsm needs the same mask value for both rows of a pair "
                        + "(row i and row N + i); the two halves of the mask differ");
            }
            return top.dup();
        }
    }

    /** Builder in DL4J's style: {@code LossFdSsm.builder().epsilon(1e-2).varianceReduced(true).build()}. */
    public static final class Builder {
        private double epsilon = DEFAULT_EPSILON;
        private boolean varianceReduced = true;

        private Builder() {
        }

        /** The step ε along v (default {@value LossFdSsm#DEFAULT_EPSILON}). */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** ½‖s̄‖² (true, the default) or ½(vᵀs̄)² (false). */
        public Builder varianceReduced(boolean varianceReduced) {
            this.varianceReduced = varianceReduced;
            return this;
        }

        public LossFdSsm build() {
            return new LossFdSsm(epsilon, varianceReduced);
        }
    }
}
