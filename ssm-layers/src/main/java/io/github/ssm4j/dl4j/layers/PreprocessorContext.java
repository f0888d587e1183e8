package io.github.ssm4j.dl4j.layers;

import io.github.ssm4j.dl4j.UnsupportedNetworkException;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What a {@link PreprocessorTranslator} sees: the preprocessor, its input and both types.
 *
 * <p>Stability: public API.
 */
public interface PreprocessorContext<P extends InputPreProcessor> {
    SameDiff sd();

    P preprocessor();

    SDVariable input();

    InputType inputType();

    /** The static shape of {@link #input()}, {@code -1} for the batch dimension. */
    long[] inputShape();

    /** {@code preprocessor().getOutputType(inputType())}. */
    InputType outputType();

    /** The static shape of the result, {@code -1} for the batch dimension. */
    long[] outputShape();

    /** The preprocessor and the layer it feeds, for messages. */
    String where();

    /**
     * Translates another preprocessor on {@code input} of type {@code type} (for preprocessors made of
     * others, like {@code ComposableInputPreProcessor}).
     */
    SDVariable apply(InputPreProcessor other, SDVariable input, InputType type);

    UnsupportedNetworkException unsupported(String what);
}
