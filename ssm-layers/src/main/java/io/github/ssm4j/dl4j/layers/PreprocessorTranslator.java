package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Writes a DL4J {@code InputPreProcessor}'s {@code preProcess} as SameDiff ops. Register one with
 * {@link TranslatorTable#preprocessor}.
 *
 * <p>Stability: public API.
 */
@FunctionalInterface
public interface PreprocessorTranslator<P extends InputPreProcessor> {
    SDVariable translate(PreprocessorContext<P> c);
}
