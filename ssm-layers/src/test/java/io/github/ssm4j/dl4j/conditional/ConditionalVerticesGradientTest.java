package io.github.ssm4j.dl4j.conditional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * DL4J's own gradient check ({@link GradientCheckUtil}: float64 central differences of {@code net.score}
 * against {@code computeGradientAndScore}, after DL4J's minibatch division) on small graphs that contain the
 * vertices. Every parameter is checked, the vertices' own and those of the layers before them — which get
 * their gradient through the vertices' input gradients.
 */
class ConditionalVerticesGradientTest {
    private static final int N = 4;
    private static DataType savedDefault;
    private static DataType savedFloatingDefault;

    /** GradientCheckUtil insists on a float64 global default as well as a float64 network. */
    @BeforeAll
    static void doubleDefault() {
        savedDefault = Nd4j.dataType();
        savedFloatingDefault = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restoreDefault() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloatingDefault);
    }

    private static GradientCheckUtil.GraphConfig check(ComputationGraph net, INDArray x, INDArray sigma,
                                                       INDArray labels) {
        return new GradientCheckUtil.GraphConfig().net(net).inputs(new INDArray[] {x, sigma})
                .labels(new INDArray[] {labels}).epsilon(1e-6).maxRelError(1e-6).minAbsoluteError(1e-9);
    }

    @Test
    void mlpWithFilmAndDivideBySigma() {
        ComputationGraph net = new ComputationGraph(ConditionalGraphs.mlp(3, 5, new NoOp()));
        net.init();
        ConditionalGraphs.randomiseVertexParameters(net, 1);
        INDArray x = ConditionalGraphs.randn(2, N, 3);
        INDArray sigma = ConditionalGraphs.sigmas(3, N);
        INDArray labels = ConditionalGraphs.randn(4, N, 3);
        assertTrue(GradientCheckUtil.checkGradients(check(net, x, sigma, labels)));
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void cnnWithConditionalInstanceNormFilmAndDivideBySigma(CNN2DFormat format) {
        ComputationGraph net = new ComputationGraph(ConditionalGraphs.cnn(2, 4, format));
        net.init();
        ConditionalGraphs.randomiseVertexParameters(net, 5);
        long[] shape = format == CNN2DFormat.NCHW ? new long[] {N, 2, 4, 4} : new long[] {N, 4, 4, 2};
        INDArray x = ConditionalGraphs.randn(6, shape);
        INDArray sigma = ConditionalGraphs.sigmas(7, N);
        INDArray labels = format == CNN2DFormat.NCHW ? ConditionalGraphs.randn(8, shape)
                : ConditionalGraphs.randn(8, N, 2 * 4 * 4);                       // NHWC ends in a flat LossLayer
        assertTrue(GradientCheckUtil.checkGradients(check(net, x, sigma, labels)));
    }
}
