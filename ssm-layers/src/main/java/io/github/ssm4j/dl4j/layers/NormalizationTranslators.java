package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code BatchNormalization} in inference mode: y = (x − mean)/√(var + ε)·γ + β with DL4J's <b>running</b>
 * mean and variance — what {@code output(x, false)} computes. The running statistics (mean, and var or,
 * with DL4J's default {@code useLogStd}, log10 of the standard deviation: var = (10^s)²) are SameDiff
 * constants, so score-matching training neither uses batch statistics nor updates them; γ and β are
 * trainable variables. Training-mode batch norm (statistics of the batch) is not translated: it couples
 * the examples of a batch, which a score model must not.
 *
 * <p>With {@code lockGammaBeta}, DL4J applies its fixed γ and β only when γ ≠ 1 <em>and</em> β ≠ 0
 * (otherwise neither); we do the same. Like DL4J's layer, no activation function is applied.
 */
public final class NormalizationTranslators {
    private NormalizationTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layer(BatchNormalization.class, NormalizationTranslators::batchNorm);
    }

    private static SDVariable batchNorm(LayerContext<BatchNormalization> c) {
        BatchNormalization l = c.layer();
        SameDiff sd = c.sd();
        long[] in = c.inputShape();
        if (in.length != 2 && in.length != 4) {
            throw c.unsupported("input of rank " + in.length + "; batch normalization of rank-2 and rank-4 input is "
                    + "supported");
        }
        CNN2DFormat format = l.getCnn2DFormat();
        long channels = in.length == 2 ? in[1] : in[Cnn.channelAxis(format)];
        SDVariable var;
        if (l.isUseLogStd()) {
            SDVariable std = sd.math.exp(c.state("log10stdev").mul(Math.log(10.0)));
            var = std.mul(std);
        } else {
            var = c.state("var");
        }
        SDVariable std = sd.math.sqrt(var.add(l.getEps()));
        SDVariable xHat = c.input().sub(broadcast(sd, c.state("mean"), channels, in.length, format))
                .div(broadcast(sd, std, channels, in.length, format));
        if (l.isLockGammaBeta()) {
            return l.getGamma() != 1.0 && l.getBeta() != 0.0 ? xHat.mul(l.getGamma()).add(l.getBeta()) : xHat;
        }
        return xHat.mul(broadcast(sd, c.param("gamma"), channels, in.length, format))
                .add(broadcast(sd, c.param("beta"), channels, in.length, format));
    }

    private static SDVariable broadcast(SameDiff sd, SDVariable v, long channels, int rank, CNN2DFormat format) {
        return rank == 2 ? sd.reshape(v, 1, channels) : Cnn.perChannel(sd, v, channels, format);
    }
}
