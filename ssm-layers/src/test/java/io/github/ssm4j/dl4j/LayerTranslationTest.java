package io.github.ssm4j.dl4j;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * One row per layer configuration: a small float64 MultiLayerNetwork ending in (or built around) the
 * layer, checked by {@link TranslationCheck} — output equal to {@code net.output(x, false)} (and
 * {@code output(x, true)} where training mode is deterministic) at batch 1 and 3, JVP against central
 * differences, SameDiff parameter gradients against central differences.
 */
class LayerTranslationTest {
    private static final InputType FF = InputType.feedForward(4);
    private static final InputType IMG = InputType.convolutional(7, 6, 2);
    private static final InputType IMG_EVEN = InputType.convolutional(6, 8, 2);
    private static final InputType IMG_NHWC = InputType.convolutional(7, 6, 2, CNN2DFormat.NHWC);

    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** A row: the network's input type, its layers, and whether training mode is deterministic. */
    private static Arguments row(String name, InputType input, boolean trainModeToo, Supplier<Layer[]> layers) {
        return Arguments.of(name, input, trainModeToo, layers);
    }

    private static Arguments row(String name, InputType input, Supplier<Layer[]> layers) {
        return row(name, input, true, layers);
    }

    static Stream<Arguments> feedForward() {
        return Stream.of(
                row("dense", FF, () -> layers(dense(6, Activation.TANH), out(3))),
                row("dense without bias", FF, () -> layers(new DenseLayer.Builder().nOut(6).hasBias(false)
                        .activation(Activation.SIGMOID).build(), new OutputLayer.Builder().nOut(3).hasBias(false)
                        .activation(Activation.IDENTITY).lossFunction(LossFunctions.LossFunction.MSE).build())),
                row("dense with layer norm", FF, () -> layers(new DenseLayer.Builder().nOut(6).hasLayerNorm(true)
                        .activation(Activation.TANH).build(), out(3))),
                row("loss layer", FF, () -> layers(dense(3, Activation.IDENTITY), new LossLayer.Builder()
                        .lossFunction(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build())),
                row("activation layer", FF, () -> layers(dense(5, Activation.IDENTITY),
                        new ActivationLayer.Builder().activation(Activation.ELU).build(), out(3))),
                row("dropout layer and layer dropout", FF, false, () -> layers(new DenseLayer.Builder().nOut(5)
                        .dropOut(0.5).activation(Activation.TANH).build(), new DropoutLayer.Builder(0.7).build(),
                        out(3))),
                row("batch norm, log std", FF, false, () -> layers(dense(5, Activation.IDENTITY),
                        new BatchNormalization.Builder().build(), out(3))),
                row("batch norm, variance", FF, false, () -> layers(dense(5, Activation.IDENTITY),
                        new BatchNormalization.Builder().useLogStd(false).eps(1e-3).build(), out(3))),
                row("batch norm, locked gamma 2 and beta 0.5", FF, false, () -> layers(dense(5, Activation.IDENTITY),
                        new BatchNormalization.Builder().lockGammaBeta(true).gamma(2.0).beta(0.5).build(), out(3))),
                row("batch norm, locked gamma 2 and beta 0 (DL4J applies neither)", FF, false,
                        () -> layers(dense(5, Activation.IDENTITY),
                        new BatchNormalization.Builder().lockGammaBeta(true).gamma(2.0).beta(0.0).build(), out(3))),
                row("prelu", FF, () -> layers(dense(5, Activation.IDENTITY), new PReLULayer.Builder().inputShape(5)
                        .build(), out(3))));
    }

    static Stream<Arguments> convolution() {
        return Stream.of(
                row("conv truncate", IMG, () -> layers(conv(3, 3).nOut(3).activation(Activation.TANH).build())),
                row("conv stride 2x1 padding 1x0", IMG, () -> layers(conv(3, 2).stride(2, 1).padding(1, 0).nOut(3)
                        .build())),
                row("conv same stride 2", IMG, () -> layers(conv(3, 3).stride(2, 2).nOut(3)
                        .convolutionMode(ConvolutionMode.Same).build())),
                row("conv same kernel 2 stride 3", IMG, () -> layers(conv(2, 2).stride(3, 3).nOut(3)
                        .convolutionMode(ConvolutionMode.Same).build())),
                row("conv dilation 2", IMG, () -> layers(conv(2, 3).dilation(2, 2).nOut(3).build())),
                row("conv same dilation 2", IMG, () -> layers(conv(3, 3).dilation(2, 1).nOut(3)
                        .convolutionMode(ConvolutionMode.Same).build())),
                row("conv without bias", IMG, () -> layers(conv(3, 3).hasBias(false).nOut(3).build())),
                row("conv NHWC", IMG_NHWC, () -> layers(conv(3, 2).stride(2, 1).nOut(3).dataFormat(CNN2DFormat.NHWC)
                        .activation(Activation.SOFTPLUS).build())),
                row("conv same NHWC", IMG_NHWC, () -> layers(conv(3, 3).stride(2, 2).nOut(3)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NHWC).build())),
                row("Convolution2D", IMG, () -> layers(new Convolution2D.Builder(2, 2).nOut(3).build())),
                row("deconv stride 2 padding 1", IMG, () -> layers(new Deconvolution2D.Builder(3, 3).stride(2, 2)
                        .padding(1, 1).nOut(3).activation(Activation.TANH).build())),
                row("deconv same stride 2", IMG, () -> layers(new Deconvolution2D.Builder(3, 3).stride(2, 2).nOut(3)
                        .convolutionMode(ConvolutionMode.Same).build())),
                row("deconv dilation 2 without bias", IMG, () -> layers(new Deconvolution2D.Builder(2, 2)
                        .dilation(2, 2).hasBias(false).nOut(3).build())),
                row("deconv NHWC", IMG_NHWC, () -> layers(new Deconvolution2D.Builder(3, 2).stride(2, 1).nOut(3)
                        .dataFormat(CNN2DFormat.NHWC).build())));
    }

    static Stream<Arguments> pooling() {
        return Stream.of(
                row("max 2x2 stride 2", IMG_EVEN, () -> layers(pool(PoolingType.MAX, 2, 2).build())),
                row("max 2x2 stride 2 with a remainder", IMG, () -> layers(pool(PoolingType.MAX, 2, 2).build())),
                row("avg 2x2 stride 2 same", IMG_EVEN, () -> layers(pool(PoolingType.AVG, 2, 2)
                        .convolutionMode(ConvolutionMode.Same).build())),
                row("max 3x3 stride 2 (overlapping)", IMG, () -> layers(pool(PoolingType.MAX, 3, 2).build())),
                row("max 3x3 stride 2 same NHWC", IMG_NHWC, () -> layers(pool(PoolingType.MAX, 3, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NHWC).build())),
                row("avg 3x3 stride 1 same, padding excluded", IMG, () -> layers(pool(PoolingType.AVG, 3, 1)
                        .convolutionMode(ConvolutionMode.Same).build())),
                row("avg 3x3 stride 1 same, padding included", IMG, () -> layers(pool(PoolingType.AVG, 3, 1)
                        .avgPoolIncludePadInDivisor(true).convolutionMode(ConvolutionMode.Same).build())),
                row("avg 2x3 stride 2x1 padding 1", IMG, () -> layers(pool(PoolingType.AVG, 2, 2).kernelSize(2, 3)
                        .stride(2, 1).padding(1, 1).build())),
                row("max 2x2 stride 1 dilation 2", IMG, () -> layers(pool(PoolingType.MAX, 2, 1).dilation(2, 2)
                        .build())),
                row("pnorm 2 2x2 stride 2", IMG_EVEN, () -> layers(pool(PoolingType.PNORM, 2, 2).pnorm(2).build())),
                row("pnorm 3 3x3 stride 2 same", IMG, () -> layers(pool(PoolingType.PNORM, 3, 2).pnorm(3)
                        .convolutionMode(ConvolutionMode.Same).build())),
                row("global max", IMG, () -> layers(conv(2, 2).nOut(3).build(), global(PoolingType.MAX).build())),
                row("global avg", IMG, () -> layers(conv(2, 2).nOut(3).build(), global(PoolingType.AVG).build())),
                row("global sum, not collapsed", IMG, () -> layers(conv(2, 2).nOut(3).build(),
                        global(PoolingType.SUM).collapseDimensions(false).build())),
                row("global pnorm 3", IMG, () -> layers(conv(2, 2).nOut(3).build(), global(PoolingType.PNORM)
                        .pnorm(3).build())),
                row("global avg NHWC", IMG_NHWC, () -> layers(conv(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).build(),
                        global(PoolingType.AVG).build())),
                row("global max over 1x1", IMG, () -> layers(conv(7, 6).nOut(3).build(), global(PoolingType.MAX)
                        .build(), out(2))),
                row("global pnorm over 1x1, not collapsed", IMG, () -> layers(conv(7, 6).nOut(3).build(),
                        global(PoolingType.PNORM).pnorm(2).collapseDimensions(false).build())));
    }

    static Stream<Arguments> spatial() {
        return Stream.of(
                row("upsampling 2x3", IMG, () -> layers(conv(2, 2).nOut(3).build(), new Upsampling2D.Builder()
                        .size(new int[] {2, 3}).build())),
                row("upsampling NHWC", IMG_NHWC, () -> layers(new Upsampling2D.Builder().size(new int[] {3, 2})
                        .dataFormat(CNN2DFormat.NHWC).build(), conv(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).build())),
                row("zero padding", IMG, () -> layers(new ZeroPaddingLayer.Builder(1, 2, 0, 3).build(),
                        conv(2, 2).nOut(3).build())),
                row("zero padding NHWC", IMG_NHWC, () -> layers(new ZeroPaddingLayer.Builder(2, 0, 1, 1)
                        .dataFormat(CNN2DFormat.NHWC).build(), conv(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).build())),
                row("cropping", IMG, () -> layers(conv(2, 2).nOut(3).build(), new Cropping2D.Builder(1, 0, 2, 1)
                        .build())),
                row("cropping NHWC", IMG_NHWC, () -> layers(conv(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC).build(),
                        new Cropping2D.Builder(0, 2, 1, 1).dataFormat(CNN2DFormat.NHWC).build())),
                row("prelu on images, shared over height and width", IMG, () -> layers(conv(2, 2).nOut(3).build(),
                        new PReLULayer.Builder().inputShape(3, 6, 5).sharedAxes(2, 3).build())),
                row("batch norm NCHW", IMG, false, () -> layers(conv(2, 2).nOut(3).build(),
                        new BatchNormalization.Builder().build())),
                row("batch norm NHWC", IMG_NHWC, false, () -> layers(conv(2, 2).nOut(3).dataFormat(CNN2DFormat.NHWC)
                        .build(), new BatchNormalization.Builder().dataFormat(CNN2DFormat.NHWC).useLogStd(false).build())),
                row("cnn loss layer, softmax over channels", IMG, () -> layers(conv(2, 2).nOut(3).build(),
                        new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build())),
                row("cnn loss layer NHWC, softmax", IMG_NHWC, () -> layers(conv(2, 2).nOut(3)
                        .dataFormat(CNN2DFormat.NHWC).build(), new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .format(CNN2DFormat.NHWC).activation(Activation.SOFTMAX).build())),
                row("cnn loss layer, sigmoid", IMG, () -> layers(conv(2, 2).nOut(1).build(),
                        new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID).build())),
                row("activation layer softmax on images (last axis, as DL4J)", IMG, () -> layers(conv(2, 2).nOut(3)
                        .build(), new ActivationLayer.Builder().activation(Activation.SOFTMAX).build())),
                row("flat images: FeedForwardToCnn, conv, CnnToFeedForward, dense", InputType.convolutionalFlat(7, 6, 2),
                        () -> layers(conv(3, 3).nOut(3).activation(Activation.RELU).build(), out(4))),
                row("NHWC conv to dense", IMG_NHWC, () -> layers(conv(3, 3).nOut(3).dataFormat(CNN2DFormat.NHWC)
                        .build(), dense(4, Activation.TANH), out(2))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"feedForward", "convolution", "pooling", "spatial"})
    void translationMatchesDl4j(String name, InputType input, boolean trainModeToo, Supplier<Layer[]> layers) {
        MultiLayerNetwork net = Networks.mln(input, layers.get());
        TranslationCheck check = TranslationCheck.of(name, net, () -> NetworkTranslator.translate(net, input));
        if (!trainModeToo) {
            check.inferenceOnly();
        }
        check.verify();
    }

    static Layer[] layers(Layer... layers) {
        return layers;
    }

    static DenseLayer dense(int nOut, Activation a) {
        return new DenseLayer.Builder().nOut(nOut).activation(a).build();
    }

    static OutputLayer out(int nOut) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(nOut).activation(Activation.IDENTITY)
                .build();
    }

    static ConvolutionLayer.Builder conv(int kH, int kW) {
        return new ConvolutionLayer.Builder(kH, kW).activation(Activation.TANH);
    }

    static SubsamplingLayer.Builder pool(PoolingType type, int k, int s) {
        return new SubsamplingLayer.Builder(type).kernelSize(k, k).stride(s, s);
    }

    static GlobalPoolingLayer.Builder global(PoolingType type) {
        return new GlobalPoolingLayer.Builder(type);
    }
}
