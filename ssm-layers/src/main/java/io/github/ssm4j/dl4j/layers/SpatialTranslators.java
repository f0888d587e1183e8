package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Layers that move pixels without parameters: {@code Upsampling2D} (nearest neighbour),
 * {@code ZeroPaddingLayer} and {@code Cropping2D}, NCHW or NHWC. Padding and cropping are given as
 * [top, bottom, left, right].
 *
 * <p>Upsampling is written as reshape + tile rather than SameDiff's upsampling2d op, whose gradient is
 * wrong in NHWC in 1.0.0-M2.1 (docs/AUTODIFF.md); both compute the same copies.
 */
public final class SpatialTranslators {
    private SpatialTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layer(Upsampling2D.class, SpatialTranslators::upsampling)
         .layer(ZeroPaddingLayer.class, SpatialTranslators::zeroPadding)
         .layer(Cropping2D.class, SpatialTranslators::cropping);
    }

    /** [N, C, H, W] → [N, C, H, 1, W, 1] → tile → [N, C, H·sH, W·sW] (channels last for NHWC). */
    private static SDVariable upsampling(LayerContext<Upsampling2D> c) {
        ConvolutionTranslators.requireImageInput(c);
        SameDiff sd = c.sd();
        boolean nchw = Cnn.nchw(c.layer().getFormat());
        long[] in = c.inputShape();
        int[] size = c.layer().getSize();
        long ch = in[Cnn.channelAxis(c.layer().getFormat())];
        long h = in[nchw ? 2 : 1];
        long w = in[nchw ? 3 : 2];
        SDVariable spread = nchw ? sd.reshape(c.input(), -1, ch, h, 1, w, 1) : sd.reshape(c.input(), -1, h, 1, w, 1, ch);
        SDVariable tiled = sd.tile(spread, nchw ? new int[] {1, 1, 1, size[0], 1, size[1]}
                : new int[] {1, 1, size[0], 1, size[1], 1});
        return nchw ? sd.reshape(tiled, -1, ch, h * size[0], w * size[1])
                : sd.reshape(tiled, -1, h * size[0], w * size[1], ch);
    }

    private static SDVariable zeroPadding(LayerContext<ZeroPaddingLayer> c) {
        ConvolutionTranslators.requireImageInput(c);
        int[] p = c.layer().getPadding();
        long[][] pad = Cnn.nchw(c.layer().getDataFormat())
                ? new long[][] {{0, 0}, {0, 0}, {p[0], p[1]}, {p[2], p[3]}}
                : new long[][] {{0, 0}, {p[0], p[1]}, {p[2], p[3]}, {0, 0}};
        return c.sd().nn.pad(c.input(), c.sd().constant(Nd4j.createFromArray(pad)), 0.0);
    }

    private static SDVariable cropping(LayerContext<Cropping2D> c) {
        ConvolutionTranslators.requireImageInput(c);
        int[] crop = c.layer().getCropping();
        CNN2DFormat format = c.layer().getDataFormat();
        long[] in = c.inputShape();
        int h = Cnn.heightAxis(format);
        int[] begin = new int[4];
        long[] size = {-1, in[1], in[2], in[3]};
        begin[h] = crop[0];
        begin[h + 1] = crop[2];
        size[h] = in[h] - crop[0] - crop[1];
        size[h + 1] = in[h + 1] - crop[2] - crop[3];
        return c.sd().slice(c.input(), begin, Cnn.ints(size));
    }
}
