package io.github.ssm4j.dl4j.conditional;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A vertex that modulates activations per channel with an affine function of log σ, FiLM-style (Perez, Strub,
 * de Vries, Dumoulin and Courville, "FiLM: Visual Reasoning with a General Conditioning Layer", AAAI 2018):
 * <pre>
 *   out = u·(1 + γ(log σ)) + β(log σ),   γ = γ_w·log σ + γ_b,   β = β_w·log σ + β_b
 * </pre>
 * where u is the (subclass-defined) transformed input and γ_w, γ_b, β_w, β_b are trainable vectors of one value
 * per channel (parameters {@value #GAMMA_W}, {@value #GAMMA_B}, {@value #BETA_W}, {@value #BETA_B}, each
 * [1, C]). log σ, not σ, because noise schedules are geometric: equal steps in log σ should be equally easy
 * to tell apart. All four start at zero, so a new vertex passes u through unchanged.
 *
 * <p>Channels are dimension 1 for [N, C] and [N, C, T], and for images as {@link #getDataFormat()} says
 * (NCHW, DL4J's default, or NHWC). C is set with the builders' {@code channels(C)} or inferred from the
 * graph's input types ({@code setInputTypes}).
 *
 * <p>Stability: public API.
 */
public abstract class SigmaAffineVertex extends SigmaConditionedVertex {
    private static final long serialVersionUID = 1L;

    /** Slope of γ in log σ. */
    public static final String GAMMA_W = "gammaW";
    /** Intercept of γ. */
    public static final String GAMMA_B = "gammaB";
    /** Slope of β in log σ. */
    public static final String BETA_W = "betaW";
    /** Intercept of β. */
    public static final String BETA_B = "betaB";

    private long channels;
    private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

    protected SigmaAffineVertex() {
    }

    protected SigmaAffineVertex(long channels, CNN2DFormat dataFormat) {
        if (channels < 0) {
            throw new IllegalArgumentException("The number of channels must be positive (or 0 to infer it from the "
                    + "input types), got " + channels);
        }
        this.channels = channels;
        this.dataFormat = Objects.requireNonNull(dataFormat, "dataFormat");
    }

    /** C, or 0 while it is still to be inferred from the input types. */
    public long getChannels() {
        return channels;
    }

    /** Where the channels of image activations are: NCHW (default) or NHWC. */
    public CNN2DFormat getDataFormat() {
        return dataFormat;
    }

    @Override
    protected void defineParameters(SDVertexParams params) {
        if (channels > 0) {
            params.addWeightParam(GAMMA_W, 1, channels);
            params.addBiasParam(GAMMA_B, 1, channels);
            params.addWeightParam(BETA_W, 1, channels);
            params.addBiasParam(BETA_B, 1, channels);
        }
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        if (channels < 1) {
            throw new IllegalStateException(getClass().getSimpleName() + " '" + name + "' does not know its number "
                    + "of channels: set it with the builder's channels(C), or give the graph its input types "
                    + "(setInputTypes) so that it is inferred");
        }
        return super.instantiate(graph, name, idx, paramsView, initializeParams, networkDatatype);
    }

    /** Infers C from the activations' type when it is not set, and checks it when it is. */
    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        InputType type = super.getOutputType(layerIndex, vertexInputs);
        long found = channelsOf(type);
        if (channels == 0) {
            channels = found;
            setVertexParams(null);                                  // parameters are defined from C: redo them
        } else if (channels != found) {
            throw new InvalidInputTypeException(getClass().getSimpleName() + " is configured for " + channels
                    + " channels but its input " + type + " has " + found);
        }
        return type;
    }

    private long channelsOf(InputType type) {
        if (type instanceof InputType.InputTypeFeedForward ff) {
            return ff.getSize();
        }
        if (type instanceof InputType.InputTypeRecurrent rnn) {
            if (rnn.getFormat() != RNNFormat.NCW) {
                throw new InvalidInputTypeException(getClass().getSimpleName() + " supports sequences as [N, C, T] "
                        + "(NCW) only, got " + type);
            }
            return rnn.getSize();
        }
        if (type instanceof InputType.InputTypeConvolutional cnn) {
            if (cnn.getFormat() != dataFormat) {
                throw new InvalidInputTypeException(getClass().getSimpleName() + " is configured for " + dataFormat
                        + " images but its input is " + cnn.getFormat() + "; set dataFormat(" + cnn.getFormat() + ")");
            }
            return cnn.getChannels();
        }
        throw new InvalidInputTypeException(getClass().getSimpleName() + " supports feed-forward, recurrent (NCW) "
                + "and convolutional activations, got " + type);
    }

    /** The axis of h that holds the channels, checked against C. */
    protected int channelAxis(long[] shape) {
        int axis = shape.length == 4 && dataFormat == CNN2DFormat.NHWC ? 3 : 1;
        if (shape.length < 2 || shape.length > 4 || shape[axis] != channels) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " expects activations [N, C], [N, C, T] "
                    + "or " + (dataFormat == CNN2DFormat.NHWC ? "[N, H, W, C]" : "[N, C, H, W]") + " with C = "
                    + channels + ", got " + Arrays.toString(shape) + " (-1 = batch)");
        }
        return axis;
    }

    /** u·(1 + γ(log σ)) + β(log σ), with γ and β broadcast over u's non-channel axes. */
    protected SDVariable modulate(SameDiff sd, SDVariable u, SDVariable sigma, Map<String, SDVariable> params,
                                  long[] shape) {
        int axis = channelAxis(shape);
        SDVariable logSigma = sd.math().log(sigma);                                        // [N, 1]
        SDVariable gamma = logSigma.mmul(params.get(GAMMA_W)).add(params.get(GAMMA_B));    // [N, C]
        SDVariable beta = logSigma.mmul(params.get(BETA_W)).add(params.get(BETA_B));
        return u.mul(perChannel(sd, gamma.add(1.0), shape.length, axis))
                .add(perChannel(sd, beta, shape.length, axis));
    }

    /** [N, C] reshaped to broadcast along the channel axis of activations of {@code rank}. */
    private SDVariable perChannel(SameDiff sd, SDVariable values, int rank, int axis) {
        if (rank == 2) {
            return values;
        }
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[0] = -1;
        shape[axis] = channels;
        return sd.reshape(values, shape);
    }

    /** The same C and data format, for {@link #copyConfiguration()}. */
    protected void copyShapeTo(SigmaAffineVertex copy) {
        copy.channels = channels;
        copy.dataFormat = dataFormat;
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof SigmaAffineVertex v && channels == v.channels
                && dataFormat == v.dataFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), channels, dataFormat);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(channels=" + channels + ", dataFormat=" + dataFormat + ")";
    }
}
