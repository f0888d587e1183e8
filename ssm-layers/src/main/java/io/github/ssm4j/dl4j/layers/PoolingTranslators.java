package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * Pooling: {@code SubsamplingLayer} (max, average, p-norm; any kernel, stride, padding, dilation, mode
 * and format) and {@code GlobalPoolingLayer} (max, average, sum, p-norm).
 *
 * <p>Non-overlapping max and average pooling (kernel = stride, no padding or dilation: DL4J's usual
 * configuration) are emitted as the very maxpool2d/avgpool2d ops DL4J runs; their derivative rules
 * cover exactly that case. Every other geometry, and p-norm pooling ((Σ|x|ᵖ)^(1/p) over the window, as
 * libnd4j's pnormpool2d), is composed from shifted views ({@link PoolingWindows}), so it too can be
 * differentiated. Average pooling divides by the window size or, with DL4J's default
 * {@code avgPoolIncludePadInDivisor = false}, by the number of window positions inside the input.
 *
 * <p>Global pooling reduces over DL4J's pooling dimensions ([2, 3] for NCHW images, [1, 2] for NHWC);
 * where those all have size 1 the reduction is a reshape, because SameDiff 1.0.0-M2.1's reductions over
 * dimensions that are all of size 1 throw (docs/AUTODIFF.md).
 */
public final class PoolingTranslators {
    private PoolingTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layer(SubsamplingLayer.class, PoolingTranslators::subsampling)
         .layer(GlobalPoolingLayer.class, PoolingTranslators::global);
    }

    private static SDVariable subsampling(LayerContext<SubsamplingLayer> c) {
        SubsamplingLayer l = c.layer();
        ConvolutionTranslators.requireImageInput(c);
        PoolingType type = l.getPoolingType();
        PaddingMode mode = ConvolutionTranslators.paddingMode(c, l.getConvolutionMode());
        int[] k = l.getKernelSize();
        int[] s = l.getStride();
        int[] p = l.getPadding();
        int[] d = l.getDilation();
        CNN2DFormat format = l.getCnn2dDataFormat();
        boolean blocks = k[0] == s[0] && k[1] == s[1] && p[0] == 0 && p[1] == 0 && d[0] == 1 && d[1] == 1
                && (mode != PaddingMode.SAME || divisible(c, format, k));
        SameDiff sd = c.sd();
        if (blocks && (type == PoolingType.MAX || type == PoolingType.AVG)) {
            Pooling2DConfig cfg = Pooling2DConfig.builder().kH(k[0]).kW(k[1]).sH(s[0]).sW(s[1]).pH(0).pW(0)
                    .dH(1).dW(1).paddingMode(mode).isNHWC(!Cnn.nchw(format))
                    .extra(type == PoolingType.AVG && l.isAvgPoolIncludePadInDivisor() ? 1 : 0).build();
            return type == PoolingType.MAX ? sd.cnn.maxPooling2d(c.input(), cfg) : sd.cnn.avgPooling2d(c.input(), cfg);
        }
        PoolingWindows windows = windows(c, format, mode == PaddingMode.SAME);
        SDVariable x = Cnn.toNchw(sd, c.input(), format);
        SDVariable y = switch (type) {
            case MAX -> windows.max(x);
            case AVG -> l.isAvgPoolIncludePadInDivisor() ? windows.sum(x).div((double) k[0] * k[1])
                    : windows.sum(x).div(sd.constant(windows.insideCounts(c.dataType())));
            case PNORM -> pnorm(sd, windows.sum(pnormTerms(sd, x, l.getPnorm())), l.getPnorm());
            default -> throw c.unsupported("pooling type " + type + " (DL4J's SubsamplingLayer itself supports MAX, "
                    + "AVG and PNORM)");
        };
        return Cnn.fromNchw(sd, y, format);
    }

    private static boolean divisible(LayerContext<SubsamplingLayer> c, CNN2DFormat format, int[] k) {
        int h = Cnn.heightAxis(format);
        return c.inputShape()[h] % k[0] == 0 && c.inputShape()[h + 1] % k[1] == 0;
    }

    /** The window geometry; Same mode pads like DL4J and libnd4j, the smaller half before. */
    private static PoolingWindows windows(LayerContext<SubsamplingLayer> c, CNN2DFormat format, boolean same) {
        SubsamplingLayer l = c.layer();
        int h = Cnn.heightAxis(format);
        PoolingWindows.Axis[] axes = new PoolingWindows.Axis[2];
        for (int a = 0; a < 2; a++) {
            long k = l.getKernelSize()[a];
            long s = l.getStride()[a];
            long d = l.getDilation()[a];
            long in = c.inputShape()[h + a];
            long out = c.outputShape()[h + a];
            long before = same ? ((out - 1) * s + (k - 1) * d + 1 - in) / 2 : l.getPadding()[a];
            axes[a] = new PoolingWindows.Axis(k, s, d, before, in, out);
        }
        return new PoolingWindows(c.sd(), c.inputShape()[Cnn.channelAxis(format)], axes[0], axes[1]);
    }

    private static SDVariable pnormTerms(SameDiff sd, SDVariable x, int p) {
        return sd.math.pow(sd.math.abs(x), p);
    }

    private static SDVariable pnorm(SameDiff sd, SDVariable sumOfTerms, int p) {
        return sd.math.pow(sumOfTerms, 1.0 / p);
    }

    private static SDVariable global(LayerContext<GlobalPoolingLayer> c) {
        GlobalPoolingLayer l = c.layer();
        long[] in = c.inputShape();
        if (in.length != 3 && in.length != 4) {
            throw c.unsupported("input of rank " + in.length + "; global pooling of rank-3 (time series) and rank-4 "
                    + "(image) input is supported");
        }
        int[] dims = l.getPoolingDimensions() != null ? l.getPoolingDimensions()
                : in.length == 3 ? new int[] {2} : new int[] {2, 3};
        SameDiff sd = c.sd();
        SDVariable x = c.input();
        boolean trivial = true;
        for (int d : dims) {
            trivial &= in[d] == 1;
        }
        SDVariable y;
        if (trivial) {
            y = sd.reshape(l.getPoolingType() == PoolingType.PNORM ? sd.math.abs(x) : x, c.outputShape());
        } else {
            y = switch (l.getPoolingType()) {
                case MAX -> sd.max(x, false, dims);
                case AVG -> sd.mean(x, false, dims);
                case SUM -> sd.sum(x, false, dims);
                case PNORM -> pnorm(sd, sd.sum(pnormTerms(sd, x, l.getPnorm()), false, dims), l.getPnorm());
            };
        }
        return l.isCollapseDimensions() || trivial ? y : sd.reshape(y, c.outputShape());
    }
}
