package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * 2-D convolutions: {@code ConvolutionLayer} / {@code Convolution2D} and {@code Deconvolution2D}, in
 * NCHW or NHWC, modes Truncate, Strict and Same, with stride, padding, dilation and optional bias.
 *
 * <p>DL4J keeps convolution kernels as [oC, iC, kH, kW]; we permute them to [kH, kW, iC, oC] (YXIO) in
 * the graph before the conv2d, because SameDiff 1.0.0-M2.1's conv2d backprop fails for the OIYX and OYXI
 * layouts (docs/AUTODIFF.md). Deconvolution kernels [iC, oC, kH, kW] become [kH, kW, oC, iC] as DL4J's
 * own layer does. Same mode pads as DL4J does: (out − 1)·s + (k − 1)·d + 1 − in in total, the smaller
 * half at the top and left.
 */
public final class ConvolutionTranslators {
    private ConvolutionTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layer(ConvolutionLayer.class, ConvolutionTranslators::conv2d)
         .layer(Convolution2D.class, ConvolutionTranslators::conv2d)
         .layer(Deconvolution2D.class, ConvolutionTranslators::deconv2d);
    }

    private static <L extends ConvolutionLayer> SDVariable conv2d(LayerContext<L> c) {
        L l = c.layer();
        requireImageInput(c);
        SameDiff sd = c.sd();
        CNN2DFormat format = l.getCnn2dDataFormat();
        Conv2DConfig cfg = Conv2DConfig.builder().kH(l.getKernelSize()[0]).kW(l.getKernelSize()[1])
                .sH(l.getStride()[0]).sW(l.getStride()[1]).pH(l.getPadding()[0]).pW(l.getPadding()[1])
                .dH(l.getDilation()[0]).dW(l.getDilation()[1]).paddingMode(paddingMode(c, l.getConvolutionMode()))
                .dataFormat(Cnn.nchw(format) ? "NCHW" : "NHWC").weightsFormat(WeightsFormat.YXIO).build();
        SDVariable w = sd.permute(c.param("W"), 2, 3, 1, 0);
        SDVariable z = l.hasBias()
                ? sd.cnn.conv2d(c.input(), w, Cnn.vector(sd, c.param("b"), l.getNOut()), cfg)
                : sd.cnn.conv2d(c.input(), w, cfg);
        return c.activate(l.getActivationFn(), z);
    }

    private static SDVariable deconv2d(LayerContext<Deconvolution2D> c) {
        Deconvolution2D l = c.layer();
        requireImageInput(c);
        SameDiff sd = c.sd();
        CNN2DFormat format = l.getCnn2dDataFormat();
        boolean same = paddingMode(c, l.getConvolutionMode()) == PaddingMode.SAME;
        long[] pad = same ? sameModeDeconvPadding(c, l) : new long[] {l.getPadding()[0], l.getPadding()[1]};
        DeConv2DConfig cfg = DeConv2DConfig.builder().kH(l.getKernelSize()[0]).kW(l.getKernelSize()[1])
                .sH(l.getStride()[0]).sW(l.getStride()[1]).pH(pad[0]).pW(pad[1])
                .dH(l.getDilation()[0]).dW(l.getDilation()[1]).isSameMode(same)
                .dataFormat(Cnn.nchw(format) ? "NCHW" : "NHWC").build();
        SDVariable w = sd.permute(c.param("W"), 2, 3, 1, 0);
        SDVariable z = l.hasBias()
                ? sd.cnn.deconv2d(c.input(), w, Cnn.vector(sd, c.param("b"), l.getNOut()), cfg)
                : sd.cnn.deconv2d(c.input(), w, cfg);
        return c.activate(l.getActivationFn(), z);
    }

    /** The top-left padding DL4J's Deconvolution2DLayer passes in Same mode (from output and input sizes). */
    private static long[] sameModeDeconvPadding(LayerContext<Deconvolution2D> c, Deconvolution2D l) {
        int h = Cnn.heightAxis(l.getCnn2dDataFormat());
        long[] pad = new long[2];
        for (int a = 0; a < 2; a++) {
            long in = c.inputShape()[h + a];
            long out = c.outputShape()[h + a];
            long effectiveKernel = (long) (l.getKernelSize()[a] - 1) * l.getDilation()[a] + 1;
            pad[a] = ((out - 1) * l.getStride()[a] + effectiveKernel - in) / 2;
        }
        return pad;
    }

    static PaddingMode paddingMode(TranslationContext c, ConvolutionMode mode) {
        if (mode == ConvolutionMode.Causal) {
            throw c.unsupported("ConvolutionMode.Causal (a 1-D mode); use Truncate, Strict or Same");
        }
        return mode == ConvolutionMode.Same ? PaddingMode.SAME : PaddingMode.VALID;
    }

    static void requireImageInput(LayerContext<?> c) {
        if (c.inputShape().length != 4) {
            throw c.unsupported("input of type " + c.inputType() + "; 2-D convolution and pooling take rank-4 "
                    + "image input (a FeedForwardToCnnPreProcessor reshapes flat input)");
        }
    }
}
