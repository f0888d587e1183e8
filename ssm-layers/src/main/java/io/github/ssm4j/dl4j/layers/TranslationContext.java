package io.github.ssm4j.dl4j.layers;

import io.github.ssm4j.dl4j.UnsupportedNetworkException;
import java.util.Set;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What every translator sees: the graph being built, where the element sits in the network, its output
 * type, and its parameters as SameDiff variables.
 *
 * <p>Parameters come in two kinds. {@link #param} is a trainable parameter: a SameDiff {@code VARIABLE}
 * holding a copy of the DL4J parameter, reported in {@code TranslatedNetwork.bindings()}. {@link #state}
 * is a parameter that gradient training does not change (BatchNormalization's running mean and variance):
 * a SameDiff constant, refreshed by {@code pullParameters()} like the variables. A trainable weight the
 * element multiplies by is better asked for as the product, {@link #timesParam}, which leaves its layout to
 * the translation. A translator must use every parameter of its element one way or another.
 *
 * <p>Stability: public API.
 */
public interface TranslationContext {
    SameDiff sd();

    /** The network's floating-point type; inputs, parameters and outputs all have it. */
    DataType dataType();

    /** The layer index ("3") for a MultiLayerNetwork, the vertex name for a ComputationGraph. */
    String id();

    /** For messages: "layer 3 (ConvolutionLayer 'cnn1')", "vertex 'merge6' (MergeVertex)". */
    String where();

    /** DL4J's type of the element's output, {@code getOutputType(...)} of its configuration. */
    InputType outputType();

    /** The static shape of the output, {@code -1} for the batch dimension. */
    long[] outputShape();

    /** The keys of the element's parameters, in DL4J's order ("W", "b", ...). */
    Set<String> paramKeys();

    /** A trainable parameter as a SameDiff variable (created on first use, then the same one). */
    SDVariable param(String key);

    /**
     * {@code x·W} for a rank-2 trainable parameter W [nIn, nOut] (a dense layer's weight): use this rather than
     * {@code x.mmul(param(key))} for such products. The variable may hold Wᵀ, multiplied with a transpose flag,
     * where that is DL4J's own memory layout ({@code ParameterBinding.transposed()}), which makes the copies
     * between network and graph at every training step straight copies. A parameter is used either through
     * this or through {@link #param}, not both.
     */
    SDVariable timesParam(SDVariable x, String key);

    /** A non-trainable parameter (running statistics) as a SameDiff constant. */
    SDVariable state(String key);

    /** {@code activation} applied to {@code x}, a value shaped like this element's output. */
    SDVariable activate(IActivation activation, SDVariable x);

    /** {@code preprocessor} applied to {@code x} of type {@code type}, by the preprocessor's translator. */
    SDVariable preprocess(InputPreProcessor preprocessor, SDVariable x, InputType type);

    /** The exception to throw for a configuration option this translator does not support. */
    UnsupportedNetworkException unsupported(String what);
}
