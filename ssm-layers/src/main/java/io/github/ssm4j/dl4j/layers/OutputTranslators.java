package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

/**
 * Output layers as {@code output()} sees them: the activation of the layer's pre-output. The DL4J loss
 * function is not part of the translated graph (score matching replaces it).
 *
 * <p>{@code CnnLossLayer} applies its activation to each pixel's channel vector (DL4J reshapes to
 * [N·H·W, C]), so its softmax runs over the channel axis; every other activation is elementwise and
 * applied directly.
 */
public final class OutputTranslators {
    private OutputTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layer(OutputLayer.class, OutputTranslators::output)
         .layer(LossLayer.class, c -> c.activate(c.layer().getActivationFn(), c.input()))
         .layer(CnnLossLayer.class, OutputTranslators::cnnLoss);
    }

    private static SDVariable output(LayerContext<OutputLayer> c) {
        DenseTranslators.requireMatrixInput(c);
        SDVariable z = c.timesParam(c.input(), "W");
        return c.activate(c.layer().getActivationFn(), c.layer().hasBias() ? z.add(c.param("b")) : z);
    }

    private static SDVariable cnnLoss(LayerContext<CnnLossLayer> c) {
        if (c.inputShape().length != 4) {
            throw c.unsupported("input of rank " + c.inputShape().length + "; CnnLossLayer takes rank-4 input");
        }
        if (c.layer().getActivationFn() instanceof ActivationSoftmax) {
            return c.sd().nn.softmax(c.input(), c.layer().getFormat() == CNN2DFormat.NHWC ? 3 : 1);
        }
        return c.activate(c.layer().getActivationFn(), c.input());
    }
}
