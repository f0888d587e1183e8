package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A {@link TranslationContext} for one layer: its configuration and its input, after the layer's
 * {@code InputPreProcessor} if it has one.
 *
 * <p>Stability: public API.
 */
public interface LayerContext<L extends Layer> extends TranslationContext {
    L layer();

    SDVariable input();

    /** DL4J's type of {@link #input()}. */
    InputType inputType();

    /** The static shape of {@link #input()}, {@code -1} for the batch dimension. */
    long[] inputShape();
}
