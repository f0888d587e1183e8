package io.github.ssm4j.dl4j.conditional;

import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conditional instance normalisation of images on the noise level, as in NCSN (Song and Ermon, "Generative
 * Modeling by Estimating Gradients of the Data Distribution", NeurIPS 2019; after Dumoulin, Shlens and
 * Kudlur, "A Learned Representation for Artistic Style", ICLR 2017): each channel of each image is
 * normalised over its H·W positions, then scaled and shifted as a function of σ,
 * <pre>
 *   out = (h − μ)/√(v + ε) · (1 + γ(log σ)) + β(log σ)
 * </pre>
 * with μ and v the mean and variance of the channel over H and W, and γ, β linear in log σ per channel
 * ({@link SigmaAffineVertex}). NCSN indexes γ and β by the noise level's position in a fixed schedule; here
 * they are functions of σ itself, so any σ works. NCSN's "++" variant, which adds back the spread of the
 * channel means, is not included.
 *
 * <p>The variance is the mean of the squared centred values: SameDiff's own {@code variance} op has a wrong
 * gradient in 1.0.0-M2.1, and means have exact rules in ssm4j's derivative engine. Images of a single
 * position (H·W = 1) are rejected: there is nothing to normalise over, and SameDiff fails on reductions over
 * dimensions that are all of size 1.
 *
 * <pre>{@code
 * .addVertex("norm1", ConditionalInstanceNormVertex.builder().channels(64).build(), "conv1", "sigma")
 * }</pre>
 *
 * <p>Stability: public API.
 */
public class ConditionalInstanceNormVertex extends SigmaAffineVertex {
    private static final long serialVersionUID = 1L;

    /** The default ε added to the variance. */
    public static final double DEFAULT_EPSILON = 1e-5;

    private double epsilon = DEFAULT_EPSILON;

    /** C inferred from the graph's input types, NCHW, ε = {@value #DEFAULT_EPSILON}. */
    public ConditionalInstanceNormVertex() {
    }

    private ConditionalInstanceNormVertex(Builder b) {
        super(b.channels, b.dataFormat);
        if (!(b.epsilon > 0) || !Double.isFinite(b.epsilon)) {
            throw new IllegalArgumentException("The variance offset ε must be positive and finite, got " + b.epsilon);
        }
        this.epsilon = b.epsilon;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** ε, added to the variance before the square root. */
    public double getEpsilon() {
        return epsilon;
    }

    @Override
    protected SDVariable define(SameDiff sd, SDVariable h, SDVariable sigma, Map<String, SDVariable> params,
                                long[] shape) {
        int[] spatial = spatialAxes(shape);
        SDVariable centred = h.sub(sd.mean(h, true, spatial));
        SDVariable variance = sd.mean(centred.mul(centred), true, spatial);
        SDVariable normalised = centred.mul(sd.math().rsqrt(variance.add(epsilon)));
        return modulate(sd, normalised, sigma, params, shape);
    }

    private int[] spatialAxes(long[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("ConditionalInstanceNormVertex normalises images, [N, C, H, W] or "
                    + "[N, H, W, C], got activations of shape " + Arrays.toString(shape) + " (-1 = batch)");
        }
        int[] axes = getDataFormat() == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3};
        if (shape[axes[0]] * shape[axes[1]] < 2) {
            throw new IllegalArgumentException("ConditionalInstanceNormVertex needs at least two positions per "
                    + "channel (H·W ≥ 2) to normalise over, got activations of shape " + Arrays.toString(shape));
        }
        return axes;
    }

    /** Images only. */
    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (vertexInputs != null && vertexInputs.length > 0
                && !(vertexInputs[0] instanceof InputType.InputTypeConvolutional)) {
            throw new InvalidInputTypeException("ConditionalInstanceNormVertex normalises images (convolutional "
                    + "activations), got " + vertexInputs[0]);
        }
        return super.getOutputType(layerIndex, vertexInputs);
    }

    @Override
    public void validateInput(INDArray[] input) {
        super.validateInput(input);
        spatialAxes(input[0].shape());
    }

    @Override
    protected SigmaConditionedVertex copyConfiguration() {
        ConditionalInstanceNormVertex copy = new ConditionalInstanceNormVertex();
        copyShapeTo(copy);
        copy.epsilon = epsilon;
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && Double.compare(epsilon, ((ConditionalInstanceNormVertex) o).epsilon) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Double.hashCode(epsilon);
    }

    @Override
    public String toString() {
        return "ConditionalInstanceNormVertex(channels=" + getChannels() + ", dataFormat=" + getDataFormat()
                + ", epsilon=" + epsilon + ")";
    }

    /** Builder: {@code ConditionalInstanceNormVertex.builder().channels(C).epsilon(1e-5).build()}. */
    public static final class Builder {
        private long channels;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;
        private double epsilon = DEFAULT_EPSILON;

        private Builder() {
        }

        /** The number of channels C (default: inferred from the graph's input types). */
        public Builder channels(long channels) {
            this.channels = channels;
            return this;
        }

        /** NCHW (default) or NHWC. */
        public Builder dataFormat(CNN2DFormat dataFormat) {
            this.dataFormat = dataFormat;
            return this;
        }

        /** ε added to the variance (default {@value ConditionalInstanceNormVertex#DEFAULT_EPSILON}). */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public ConditionalInstanceNormVertex build() {
            return new ConditionalInstanceNormVertex(this);
        }
    }
}
