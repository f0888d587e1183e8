package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Input preprocessors between feed-forward and convolutional layers, and chains of them.
 *
 * <p>Both directions are c-order reshapes of the array as it is laid out: {@code CnnToFeedForward}
 * flattens [C, H, W] (NCHW) or [H, W, C] (NHWC) per example, {@code FeedForwardToCnn} unflattens to
 * [C, H, W] (DL4J's FeedForwardToCnnPreProcessor always produces NCHW). An input that already has the
 * target rank passes through, as in DL4J.
 */
public final class PreprocessorTranslators {
    private PreprocessorTranslators() {
    }

    static void register(TranslatorTable t) {
        t.preprocessor(CnnToFeedForwardPreProcessor.class, c -> c.inputShape().length == 2 ? c.input()
                        : c.sd().reshape(c.input(), -1, perExample(c.inputShape())))
         .preprocessor(FeedForwardToCnnPreProcessor.class, c -> c.inputShape().length == 4 ? c.input()
                        : c.sd().reshape(c.input(), -1, c.preprocessor().getNumChannels(),
                                c.preprocessor().getInputHeight(), c.preprocessor().getInputWidth()))
         .preprocessor(ComposableInputPreProcessor.class, PreprocessorTranslators::chain);
    }

    private static SDVariable chain(PreprocessorContext<ComposableInputPreProcessor> c) {
        SDVariable x = c.input();
        InputType type = c.inputType();
        for (InputPreProcessor p : c.preprocessor().getInputPreProcessors()) {
            x = c.apply(p, x, type);
            type = p.getOutputType(type);
        }
        return x;
    }

    private static long perExample(long[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }
}
