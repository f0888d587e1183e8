package io.github.ssm4j.dl4j.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.activations.IActivation;

/**
 * Writes a DL4J activation function ({@code IActivation.getActivation(x, false)}) as SameDiff ops on
 * {@code x}, a value of the given rank (2 for dense layers, 4 for convolutional ones). Register one with
 * {@link TranslatorTable#activation}.
 *
 * <p>Stability: public API.
 */
@FunctionalInterface
public interface ActivationTranslator<A extends IActivation> {
    SDVariable apply(A activation, SDVariable x, int rank);
}
