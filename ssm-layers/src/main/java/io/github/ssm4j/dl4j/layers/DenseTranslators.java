package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Feed-forward layers: {@code DenseLayer} (with or without bias and layer norm), {@code ActivationLayer},
 * {@code DropoutLayer} and {@code PReLULayer}.
 *
 * <p>The translation is of inference mode ({@code output(x, false)}): dropout — of a DropoutLayer or
 * configured on any layer — is the identity, as is DL4J's weight noise.
 */
public final class DenseTranslators {
    private DenseTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layer(DenseLayer.class, DenseTranslators::dense)
         .layer(ActivationLayer.class, c -> c.activate(c.layer().getActivationFn(), c.input()))
         .layer(DropoutLayer.class, LayerContext::input)
         .layer(PReLULayer.class, DenseTranslators::prelu);
    }

    /** act(layerNorm(x·W)·… + b): DL4J normalises x·W over the features, scales by g, then adds b. */
    private static SDVariable dense(LayerContext<DenseLayer> c) {
        requireMatrixInput(c);
        SDVariable z = c.timesParam(c.input(), "W");
        if (c.layer().isHasLayerNorm()) {
            z = layerNorm(c.sd(), z, c.param("g"));
        }
        if (c.layer().hasBias()) {
            z = z.add(c.param("b"));
        }
        return c.activate(c.layer().getActivationFn(), z);
    }

    /**
     * libnd4j's layer_norm over dimension 1 without epsilon, (z − mean)/std·g with the biased variance,
     * composed from means: SameDiff's own layer_norm gradient fails at batch size 1.
     */
    static SDVariable layerNorm(SameDiff sd, SDVariable z, SDVariable gain) {
        SDVariable centred = z.sub(sd.mean(z, true, 1));
        SDVariable inverseStd = sd.math.rsqrt(sd.mean(centred.mul(centred), true, 1));
        return centred.mul(inverseStd).mul(gain);
    }

    /** x for x &gt; 0, alpha·x otherwise, alpha broadcast over the batch (and any shared axes). */
    private static SDVariable prelu(LayerContext<PReLULayer> c) {
        SameDiff sd = c.sd();
        SDVariable x = c.input();
        return sd.nn.relu(x, 0.0).sub(sd.nn.relu(x.neg(), 0.0).mul(c.param("W")));
    }

    static void requireMatrixInput(LayerContext<?> c) {
        if (c.inputShape().length != 2) {
            throw c.unsupported("input of type " + c.inputType() + " (rank " + c.inputShape().length
                    + "); only rank-2 (feed-forward) input is supported: recurrent, time-distributed input is not");
        }
    }
}
