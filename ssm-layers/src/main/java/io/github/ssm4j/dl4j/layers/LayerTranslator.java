package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Writes one DL4J layer as SameDiff ops: given the layer's input (after its preprocessor) and its
 * parameters as SameDiff variables, return what the layer's {@code activate(false)} computes.
 *
 * <p>Register one with {@link TranslatorTable#layer}. Emit only ops that have derivative rules
 * ({@code io.github.ssm4j.autodiff.DerivativeRules.supportedOps()}) so the translated network can be
 * differentiated by {@code Jvp}/{@code Vjp}; every parameter of the layer must be used (through
 * {@link LayerContext#param} or {@link LayerContext#state}), which the translator checks.
 *
 * <p>Stability: public API.
 */
@FunctionalInterface
public interface LayerTranslator<L extends Layer> {
    SDVariable translate(LayerContext<L> c);
}
