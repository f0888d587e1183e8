package io.github.ssm4j.dl4j.conditional;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A SameDiff graph vertex with two inputs, in this order: activations h ([N, C], [N, C, T], [N, C, H, W] or
 * [N, H, W, C]) and the noise level σ, one positive value per example, shape [N, 1]. Its output is shaped like
 * h. The base of the noise-conditional vertices of NCSN-style score models (Song and Ermon, NeurIPS 2019 and
 * 2020), which condition on σ through a second graph input:
 * <pre>{@code
 * .addInputs("x", "sigma")
 * .addVertex("film", new SigmaFiLMVertex(), "conv1", "sigma")
 * .setInputTypes(InputType.convolutional(28, 28, 1), InputType.feedForward(1))
 * }</pre>
 *
 * <p>Subclasses write their forward pass with SameDiff ops that ssm4j's derivative engine has rules for
 * ({@link io.github.ssm4j.autodiff.DerivativeRules#supportedOps()}), so that the score-matching objectives can
 * also differentiate through them. σ must be positive and finite; the vertex checks it on every forward pass
 * and names the first bad example.
 *
 * <p>Stability: public API for extension; the input names are fixed.
 */
public abstract class SigmaConditionedVertex extends SameDiffVertex {
    private static final long serialVersionUID = 1L;

    /** The name of the activations input inside the vertex's SameDiff graph. */
    public static final String INPUT = "input";
    /** The name of the noise-level input inside the vertex's SameDiff graph. */
    public static final String SIGMA = "sigma";

    /** Declares the two inputs, then the subclass's parameters. */
    @Override
    public final void defineParametersAndInputs(SDVertexParams params) {
        params.defineInputs(INPUT, SIGMA);
        defineParameters(params);
    }

    /** Adds this vertex's parameters (none by default). */
    protected void defineParameters(SDVertexParams params) {
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.values().forEach(p -> p.assign(0));
    }

    @Override
    public final SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> layerInput,
                                         Map<String, SDVariable> paramTable, Map<String, SDVariable> maskVars) {
        SDVariable h = layerInput.get(INPUT);
        // DL4J hands the vertex placeholders; ssm4j's translator hands it the upstream graph's variables
        long[] shape = h.getVariableType() == org.nd4j.autodiff.samediff.VariableType.PLACEHOLDER
                ? h.placeholderShape() : io.github.ssm4j.autodiff.internal.StaticShapes.of(sd).shapeOf(h);
        return define(sd, h, layerInput.get(SIGMA), paramTable, shape);
    }

    /**
     * The forward pass.
     *
     * @param h the activations
     * @param sigma σ, [N, 1]
     * @param shape h's shape, -1 for the batch dimension
     */
    protected abstract SDVariable define(SameDiff sd, SDVariable h, SDVariable sigma, Map<String, SDVariable> params,
                                         long[] shape);

    /**
     * DL4J's runtime SameDiff vertex, with 1.0.0-M2.1's backward pass (doubled, and stale after the first
     * pass) replaced by one that ssm4j's derivative rules write (see {@link VjpBackwardGraphVertex}).
     */
    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        setName(name);
        return new VjpBackwardGraphVertex(this, graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    /** The activations' type; σ must be feed-forward of size 1. */
    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        if (vertexInputs == null || vertexInputs.length != 2) {
            throw new InvalidInputTypeException(getClass().getSimpleName() + " takes two inputs, the activations and "
                    + "σ [N, 1], got " + (vertexInputs == null ? 0 : vertexInputs.length));
        }
        InputType sigma = vertexInputs[1];
        if (!(sigma instanceof InputType.InputTypeFeedForward ff) || ff.getSize() != 1) {
            throw new InvalidInputTypeException(getClass().getSimpleName() + "'s second input must be σ, feed-forward "
                    + "of size 1 ([N, 1]), got " + sigma);
        }
        return vertexInputs[0];
    }

    /** Passes the activations' mask on. */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        INDArray mask = maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0];
        return new Pair<>(mask, mask == null ? null : currentMaskState);
    }

    /** σ must be [N, 1], positive and finite, with N the activations' batch size. */
    @Override
    public void validateInput(INDArray[] input) {
        String name = getClass().getSimpleName();
        if (input == null || input.length != 2) {
            throw new IllegalArgumentException(name + " takes two inputs, the activations and σ [N, 1], got "
                    + (input == null ? 0 : input.length));
        }
        INDArray sigma = input[1];
        long n = input[0].size(0);
        if (sigma.rank() != 2 || sigma.size(0) != n || sigma.size(1) != 1) {
            throw new IllegalArgumentException(name + " needs σ of shape [N, 1] = [" + n + ", 1] (one noise level "
                    + "per example), got " + Arrays.toString(sigma.shape()));
        }
        double smallest = sigma.minNumber().doubleValue();
        if (smallest > 0 && Double.isFinite(sigma.sumNumber().doubleValue())) {
            return;
        }
        for (int i = 0; i < n; i++) {
            double s = sigma.getDouble(i, 0);
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException(name + " needs positive, finite noise levels σ, but example " + i
                        + " has σ = " + s);
            }
        }
    }

    /** A copy with the same configuration (DL4J clones configurations). */
    @Override
    public GraphVertex clone() {
        SigmaConditionedVertex copy = copyConfiguration();
        copy.setName(getName());
        copy.setDataType(getDataType());
        copy.setUpdater(updater == null ? null : updater.clone());
        copy.setBiasUpdater(biasUpdater == null ? null : biasUpdater.clone());
        copy.setRegularization(regularization == null ? null : new ArrayList<>(regularization));
        copy.setRegularizationBias(regularizationBias == null ? null : new ArrayList<>(regularizationBias));
        copy.setGradientNormalization(gradientNormalization);
        copy.setGradientNormalizationThreshold(gradientNormalizationThreshold);
        return copy;
    }

    /** A new vertex with this one's own fields (the base copies the training configuration). */
    protected abstract SigmaConditionedVertex copyConfiguration();

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + getClass().hashCode();
    }

    /**
     * σ [N, 1] reshaped to broadcast against activations of {@code rank}: [N, 1, ..., 1]. Activations of rank 2
     * take σ as it is.
     */
    static SDVariable broadcastable(SameDiff sd, SDVariable perExample, int rank) {
        if (rank == 2) {
            return perExample;
        }
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[0] = -1;
        return sd.reshape(perExample, shape);
    }
}
