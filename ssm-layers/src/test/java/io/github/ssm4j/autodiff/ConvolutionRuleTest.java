package io.github.ssm4j.autodiff;

import static io.github.ssm4j.autodiff.GraphCheck.A;
import static io.github.ssm4j.autodiff.GraphCheck.B;
import static io.github.ssm4j.autodiff.GraphCheck.N;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolution, pooling and upsampling rules, each checked by {@link GraphCheck} (both modes, order 2,
 * SameDiff backprop through the emitted ops) with input and kernel (and bias) all differentiated.
 * Spatial sizes include stride remainders (7×7 with stride 2) and SAME padding with an uneven split;
 * channel counts written A, B are drawn from the seed and may be 1 (see {@link GraphCheck}).
 */
class ConvolutionRuleTest {

    private static final PaddingMode SAME = PaddingMode.SAME;
    private static final PaddingMode VALID = PaddingMode.VALID;

    /** k, s, p, d per axis pair (kH = kW unless given separately). */
    private static Conv2DConfig conv(long kH, long kW, long s, long p, long d, PaddingMode mode, String format) {
        return Conv2DConfig.builder().kH(kH).kW(kW).sH(s).sW(s).pH(p).pW(p).dH(d).dW(d).paddingMode(mode)
                .dataFormat(format).build();
    }

    private static DeConv2DConfig deconv(long k, long s, long p, long d, boolean same, String format) {
        return DeConv2DConfig.builder().kH(k).kW(k).sH(s).sW(s).pH(p).pW(p).dH(d).dW(d).isSameMode(same)
                .dataFormat(format).build();
    }

    private static Pooling2DConfig pool(long kH, long kW, long sH, long sW, long p, PaddingMode mode, boolean nhwc) {
        return Pooling2DConfig.builder().kH(kH).kW(kW).sH(sH).sW(sW).pH(p).pW(p).dH(1).dW(1).paddingMode(mode)
                .isNHWC(nhwc).build();
    }

    static Stream<GraphCheck> conv2d() {
        return Stream.of(
                GraphCheck.of("conv2d 3x3 valid", (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 1, 0, 1, VALID, "NCHW")))
                        .batched(N, A, 6, 6).fixed(3, 3, A, B),
                GraphCheck.of("conv2d 3x3 same", (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 1, 0, 1, SAME, "NCHW")))
                        .batched(N, A, 6, 6).fixed(3, 3, A, B),
                GraphCheck.of("conv2d 3x3 valid stride 2 on 7x7",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 2, 0, 1, VALID, "NCHW")))
                        .batched(2, 2, 7, 7).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d 3x3 valid stride 2 on 6x6 (remainder)",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 2, 0, 1, VALID, "NCHW")))
                        .batched(2, 2, 6, 6).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d 3x3 same stride 2 on 7x7",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 2, 0, 1, SAME, "NCHW")))
                        .batched(2, 2, 7, 7).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d 3x3 same stride 2 on 6x6 (uneven padding)",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 2, 0, 1, SAME, "NCHW")))
                        .batched(2, 2, 6, 6).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d 4x4 same (even kernel)",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(4, 4, 1, 0, 1, SAME, "NCHW")))
                        .batched(2, 2, 5, 5).fixed(4, 4, 2, 2),
                GraphCheck.of("conv2d explicit padding 1 stride 2",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 2, 1, 1, VALID, "NCHW")))
                        .batched(2, 2, 7, 7).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d dilation 2 valid",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 1, 0, 2, VALID, "NCHW")))
                        .batched(2, 2, 7, 7).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d dilation 2 same",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 1, 0, 2, SAME, "NCHW")))
                        .batched(2, 2, 6, 6).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d 2x3 kernel",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(2, 3, 1, 0, 1, VALID, "NCHW")))
                        .batched(2, 2, 5, 6).fixed(2, 3, 2, 3),
                GraphCheck.of("conv2d NHWC same stride 2",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 2, 0, 1, SAME, "NHWC")))
                        .batched(2, 7, 7, 2).fixed(3, 3, 2, 3),
                GraphCheck.of("conv2d NHWC valid", (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 1, 0, 1, VALID, "NHWC")))
                        .batched(N, 6, 6, A).fixed(3, 3, A, B),
                GraphCheck.of("conv2d with bias", (sd, x) -> sd.cnn.conv2d(x[0], x[1], x[2], conv(3, 3, 1, 0, 1, SAME, "NCHW")))
                        .batched(N, A, 5, 5).fixed(3, 3, A, B).fixed(B),
                GraphCheck.of("conv2d NHWC with bias",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], x[2], conv(3, 3, 2, 0, 1, VALID, "NHWC")))
                        .batched(2, 7, 7, 3).fixed(3, 3, 3, 4).fixed(4),
                GraphCheck.of("conv2d 1x1 same stride 3 on 9x9 (kernel < stride)",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(1, 1, 3, 0, 1, SAME, "NCHW")))
                        .batched(2, 2, 9, 9).fixed(1, 1, 2, 3),
                GraphCheck.of("conv2d 2x2 same stride 3 on 8x8",
                        (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(2, 2, 3, 0, 1, SAME, "NCHW")))
                        .batched(2, 2, 8, 8).fixed(2, 2, 2, 3),
                GraphCheck.of("conv2d batch 1", (sd, x) -> sd.cnn.conv2d(x[0], x[1], conv(3, 3, 2, 0, 1, SAME, "NCHW")))
                        .batched(1, 2, 5, 5).fixed(3, 3, 2, 2),
                GraphCheck.of("conv2d then tanh then conv2d", (sd, x) -> sd.cnn.conv2d(
                                sd.nn.tanh(sd.cnn.conv2d(x[0], x[1], conv(3, 3, 1, 0, 1, SAME, "NCHW"))), x[2],
                                conv(3, 3, 2, 0, 1, VALID, "NCHW")))
                        .batched(2, 2, 7, 7).fixed(3, 3, 2, 3).fixed(3, 3, 3, 2));
    }

    static Stream<GraphCheck> deconv2d() {
        return Stream.of(
                GraphCheck.of("deconv2d 3x3 valid", (sd, x) -> sd.cnn.deconv2d(x[0], x[1], deconv(3, 1, 0, 1, false, "NCHW")))
                        .batched(N, A, 5, 5).fixed(3, 3, B, A),
                GraphCheck.of("deconv2d 3x3 valid stride 2",
                        (sd, x) -> sd.cnn.deconv2d(x[0], x[1], deconv(3, 2, 0, 1, false, "NCHW")))
                        .batched(2, 3, 4, 4).fixed(3, 3, 2, 3),
                GraphCheck.of("deconv2d 3x3 same stride 2",
                        (sd, x) -> sd.cnn.deconv2d(x[0], x[1], deconv(3, 2, 0, 1, true, "NCHW")))
                        .batched(2, 3, 4, 4).fixed(3, 3, 2, 3),
                GraphCheck.of("deconv2d 2x2 stride 2 (DL4J upsampling-style)",
                        (sd, x) -> sd.cnn.deconv2d(x[0], x[1], deconv(2, 2, 0, 1, false, "NCHW")))
                        .batched(2, 3, 3, 3).fixed(2, 2, 2, 3),
                GraphCheck.of("deconv2d padding 1 stride 2",
                        (sd, x) -> sd.cnn.deconv2d(x[0], x[1], deconv(3, 2, 1, 1, false, "NCHW")))
                        .batched(2, 3, 4, 4).fixed(3, 3, 2, 3),
                GraphCheck.of("deconv2d dilation 2",
                        (sd, x) -> sd.cnn.deconv2d(x[0], x[1], deconv(3, 1, 0, 2, false, "NCHW")))
                        .batched(2, 3, 4, 4).fixed(3, 3, 2, 3),
                GraphCheck.of("deconv2d NHWC same stride 2",
                        (sd, x) -> sd.cnn.deconv2d(x[0], x[1], deconv(3, 2, 0, 1, true, "NHWC")))
                        .batched(2, 4, 4, 3).fixed(3, 3, 2, 3),
                GraphCheck.of("deconv2d with bias",
                        (sd, x) -> sd.cnn.deconv2d(x[0], x[1], x[2], deconv(3, 2, 0, 1, false, "NCHW")))
                        .batched(2, 3, 3, 3).fixed(3, 3, 2, 3).fixed(2));
    }

    static Stream<GraphCheck> pooling() {
        return Stream.of(
                GraphCheck.of("avgpool 2x2", (sd, x) -> sd.cnn.avgPooling2d(x[0], pool(2, 2, 2, 2, 0, VALID, false)))
                        .batched(N, A, 6, 6),
                GraphCheck.of("avgpool 2x2 on 7x7 (remainder)",
                        (sd, x) -> sd.cnn.avgPooling2d(x[0], pool(2, 2, 2, 2, 0, VALID, false))).batched(2, 2, 7, 7),
                GraphCheck.of("avgpool 3x2 NHWC", (sd, x) -> sd.cnn.avgPooling2d(x[0], pool(3, 2, 3, 2, 0, VALID, true)))
                        .batched(2, 6, 6, 3),
                GraphCheck.of("avgpool 2x2 same (divisible)",
                        (sd, x) -> sd.cnn.avgPooling2d(x[0], pool(2, 2, 2, 2, 0, SAME, false))).batched(2, 2, 4, 4),
                GraphCheck.of("maxpool 2x2", (sd, x) -> sd.cnn.maxPooling2d(x[0], pool(2, 2, 2, 2, 0, VALID, false)))
                        .batched(N, A, 6, 6),
                GraphCheck.of("maxpool 2x2 on 7x7 (remainder)",
                        (sd, x) -> sd.cnn.maxPooling2d(x[0], pool(2, 2, 2, 2, 0, VALID, false))).batched(2, 2, 7, 7),
                GraphCheck.of("maxpool 3x3 NHWC", (sd, x) -> sd.cnn.maxPooling2d(x[0], pool(3, 3, 3, 3, 0, VALID, true)))
                        .batched(N, 6, 6, A),
                GraphCheck.of("maxpool of square (second order through the mask)",
                        (sd, x) -> sd.cnn.maxPooling2d(sd.math.square(x[0]), pool(2, 2, 2, 2, 0, VALID, false)))
                        .batched(2, 2, 4, 4),
                GraphCheck.of("upsampling 2x2", (sd, x) -> sd.cnn.upsampling2d(x[0], 2, 2, true)).batched(N, A, 3, 3),
                GraphCheck.of("upsampling 2x3", (sd, x) -> sd.cnn.upsampling2d(x[0], 2, 3, true)).batched(2, 2, 3, 2),
                // SameDiff's own upsampling2d gradient is wrong for NHWC (max |diff| ≈ 5 on O(1) values here):
                // not a reference; ours is still held to finite differences and the rules do not emit the op
                GraphCheck.of("upsampling 2x2 NHWC", (sd, x) -> sd.cnn.upsampling2d(x[0], 2, 2, false)).batched(2, 3, 2, 2)
                        .sameDiffGradientTolerance(Double.NaN),
                GraphCheck.of("upsampling of square", (sd, x) -> sd.cnn.upsampling2d(sd.math.square(x[0]), 2, 2, true))
                        .batched(2, 2, 2, 3),
                GraphCheck.of("conv2d, maxpool, upsampling, deconv2d", (sd, x) -> sd.cnn.deconv2d(
                                sd.cnn.upsampling2d(sd.cnn.maxPooling2d(sd.nn.tanh(
                                        sd.cnn.conv2d(x[0], x[1], conv(3, 3, 1, 0, 1, SAME, "NCHW"))),
                                        pool(2, 2, 2, 2, 0, VALID, false)), 2, 2, true),
                                x[2], deconv(3, 1, 0, 1, true, "NCHW")))
                        .batched(2, 2, 4, 4).fixed(3, 3, 2, 3).fixed(3, 3, 2, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"conv2d", "deconv2d", "pooling"})
    void ruleMatchesFiniteDifferencesAndSameDiff(GraphCheck check) {
        check.verify();
    }

    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /**
     * OIYX and OYXI kernels. GraphCheck cannot be used: it compares with SameDiff's own gradient, and
     * SameDiff's conv2d_bp fails ("Op validation failed") for these layouts in 1.0.0-M2.1. Instead the
     * derivatives must equal those of the same convolution with the kernel permuted to YXIO (checked
     * above); the rules permute to YXIO themselves, so they emit only convolutions SameDiff can differentiate.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = WeightsFormat.class, names = {"OIYX", "OYXI"})
    void otherWeightLayoutsMatchYxio(WeightsFormat format) {
        int[] fromYxio = format == WeightsFormat.OIYX ? new int[] {3, 2, 0, 1} : new int[] {3, 0, 1, 2};
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 7, 7);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 3, 3, 3, 4);
        INDArray tx = Nd4j.randn(DataType.DOUBLE, 2, 3, 7, 7);
        INDArray tw = Nd4j.randn(DataType.DOUBLE, 3, 3, 3, 4);
        INDArray u = Nd4j.randn(DataType.DOUBLE, 2, 4, 4, 4);
        INDArray[] expected = convDerivatives(WeightsFormat.YXIO, x, w, tx, tw, u);
        INDArray[] actual = convDerivatives(format, x, w.permute(fromYxio).dup(), tx, tw.permute(fromYxio).dup(), u);
        assertTrue(expected[0].equalsWithEps(actual[0], 1e-12), "JVP");
        assertTrue(expected[1].equalsWithEps(actual[1], 1e-12), "VJP w.r.t. x");
        assertTrue(expected[2].permute(fromYxio).equalsWithEps(actual[2], 1e-12), "VJP w.r.t. W");
    }

    /** JVP and both VJPs of a stride-2 SAME conv2d whose kernel has the given layout. */
    private static INDArray[] convDerivatives(WeightsFormat format, INDArray x, INDArray w, INDArray tx, INDArray tw,
                                              INDArray u) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.placeHolder("x", DataType.DOUBLE, -1, 3, 7, 7);
        SDVariable wv = sd.placeHolder("w", DataType.DOUBLE, w.shape());
        SDVariable txv = sd.placeHolder("tx", DataType.DOUBLE, -1, 3, 7, 7);
        SDVariable twv = sd.placeHolder("tw", DataType.DOUBLE, w.shape());
        SDVariable uv = sd.placeHolder("u", DataType.DOUBLE, -1, 4, 4, 4);
        SDVariable y = sd.cnn.conv2d(xv, wv, Conv2DConfig.builder().kH(3).kW(3).sH(2).sW(2).paddingMode(SAME)
                .dataFormat("NCHW").weightsFormat(format).build());
        SDVariable jvp = new io.github.ssm4j.autodiff.internal.ForwardTransformer(sd).seed(xv, txv).seed(wv, twv)
                .run(y)[0];
        SDVariable[] vjp = new io.github.ssm4j.autodiff.internal.ReverseTransformer(sd).seed(y, uv).run(xv, wv);
        Map<String, INDArray> r = sd.output(Map.of("x", x, "w", w, "tx", tx, "tw", tw, "u", u),
                jvp.name(), vjp[0].name(), vjp[1].name());
        return new INDArray[] {r.get(jvp.name()), r.get(vjp[0].name()), r.get(vjp[1].name())};
    }

    /** Overlapping or padded pooling has no rule yet: a clear error naming the op and its configuration. */
    @Test
    void unsupportedPoolingIsAClearError() {
        for (Pooling2DConfig cfg : new Pooling2DConfig[] {pool(3, 3, 2, 2, 0, VALID, false),
                pool(2, 2, 2, 2, 1, VALID, false), pool(2, 2, 2, 2, 0, SAME, false)}) {
            for (boolean max : new boolean[] {true, false}) {
                SameDiff sd = SameDiff.create();
                SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2, 7, 7);
                SDVariable y = max ? sd.cnn.maxPooling2d(x, cfg) : sd.cnn.avgPooling2d(x, cfg);
                SDVariable t = sd.placeHolder("t", DataType.DOUBLE, -1, 2, 7, 7);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Jvp.of(y, x, t));
                String op = max ? "maxpool2d" : "avgpool2d";
                assertTrue(e.getMessage().contains(op) && e.getMessage().contains("kernel == stride"), e.getMessage());
                e = assertThrows(IllegalStateException.class, () -> Vjp.of(y, x, sd.onesLike(y)));
                assertTrue(e.getMessage().contains(op), e.getMessage());
            }
        }
    }
}
