package io.github.ssm4j.dl4j.conditional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each vertex's forward pass, inside a ComputationGraph, equals its formula computed element by element in
 * plain Java from the same parameters (float64).
 */
class ConditionalVerticesForwardTest {
    private static final int N = 3;
    private static final int C = 4;

    /** γ or β for example n, channel c: w_c·log σ_n + b_c. */
    private static double affine(ComputationGraph net, String vertex, String w, String b, INDArray sigma, int n,
                                 int c) {
        return net.paramTable().get(vertex + "_" + w).getDouble(0, c) * Math.log(sigma.getDouble(n, 0))
                + net.paramTable().get(vertex + "_" + b).getDouble(0, c);
    }

    private static double film(ComputationGraph net, double u, INDArray sigma, int n, int c) {
        double gamma = affine(net, "v", SigmaAffineVertex.GAMMA_W, SigmaAffineVertex.GAMMA_B, sigma, n, c);
        double beta = affine(net, "v", SigmaAffineVertex.BETA_W, SigmaAffineVertex.BETA_B, sigma, n, c);
        return u * (1 + gamma) + beta;
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double error = expected.sub(actual).norm2Number().doubleValue();
        assertEquals(0, error, 1e-12 * (1 + expected.norm2Number().doubleValue()), "expected " + expected
                + " got " + actual);
    }

    @Test
    void divideBySigmaDividesEveryValueOfAnExample() {
        INDArray sigma = ConditionalGraphs.sigmas(1, N);
        for (InputType type : new InputType[] {InputType.feedForward(C), InputType.convolutional(2, 3, C)}) {
            ComputationGraph net = ConditionalGraphs.single(new DivideBySigmaVertex(), type);
            long[] shape = type.getShape(true);
            shape[0] = N;
            INDArray x = ConditionalGraphs.randn(2, shape);
            INDArray expected = x.dup();
            for (int n = 0; n < N; n++) {
                expected.slice(n).divi(sigma.getDouble(n, 0));
            }
            assertClose(expected, net.outputSingle(x, sigma));
        }
    }

    @Test
    void filmOnFeatures() {
        ComputationGraph net = ConditionalGraphs.single(new SigmaFiLMVertex(), InputType.feedForward(C));
        INDArray x = ConditionalGraphs.randn(3, N, C);
        INDArray sigma = ConditionalGraphs.sigmas(4, N);
        INDArray expected = x.dup();
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                expected.putScalar(n, c, film(net, x.getDouble(n, c), sigma, n, c));
            }
        }
        assertClose(expected, net.outputSingle(x, sigma));
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void filmOnImages(CNN2DFormat format) {
        ComputationGraph net = ConditionalGraphs.single(SigmaFiLMVertex.builder().dataFormat(format).build(),
                InputType.convolutional(2, 3, C, format));
        boolean nchw = format == CNN2DFormat.NCHW;
        INDArray x = ConditionalGraphs.randn(5, nchw ? new long[] {N, C, 2, 3} : new long[] {N, 2, 3, C});
        INDArray sigma = ConditionalGraphs.sigmas(6, N);
        INDArray expected = x.dup();
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        long[] at = nchw ? new long[] {n, c, i, j} : new long[] {n, i, j, c};
                        expected.putScalar(at, film(net, x.getDouble(at), sigma, n, c));
                    }
                }
            }
        }
        assertClose(expected, net.outputSingle(x, sigma));
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void conditionalInstanceNormNormalisesEachChannelOfEachImage(CNN2DFormat format) {
        ConditionalInstanceNormVertex vertex = ConditionalInstanceNormVertex.builder().dataFormat(format)
                .epsilon(1e-3).build();
        ComputationGraph net = ConditionalGraphs.single(vertex, InputType.convolutional(2, 3, C, format));
        boolean nchw = format == CNN2DFormat.NCHW;
        INDArray x = ConditionalGraphs.randn(7, nchw ? new long[] {N, C, 2, 3} : new long[] {N, 2, 3, C}).muli(3)
                .addi(1);
        INDArray sigma = ConditionalGraphs.sigmas(8, N);
        INDArray expected = x.dup();
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                double sum = 0;
                double sumSq = 0;
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        double value = x.getDouble(nchw ? new long[] {n, c, i, j} : new long[] {n, i, j, c});
                        sum += value;
                        sumSq += value * value;
                    }
                }
                double mean = sum / 6;
                double variance = sumSq / 6 - mean * mean;
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 3; j++) {
                        long[] at = nchw ? new long[] {n, c, i, j} : new long[] {n, i, j, c};
                        double normalised = (x.getDouble(at) - mean) / Math.sqrt(variance + 1e-3);
                        expected.putScalar(at, film(net, normalised, sigma, n, c));
                    }
                }
            }
        }
        assertClose(expected, net.outputSingle(x, sigma));
    }

    @Test
    void newVerticesAreTheIdentity() {
        ComputationGraph net = ConditionalGraphs.single(new SigmaFiLMVertex(), InputType.feedForward(C));
        net.paramTable().values().forEach(p -> p.assign(0));
        INDArray x = ConditionalGraphs.randn(9, N, C);
        assertClose(x, net.outputSingle(x, ConditionalGraphs.sigmas(10, N)));
        ComputationGraph fresh = new ComputationGraph(net.getConfiguration().clone());
        fresh.init();
        assertEquals(0.0, fresh.params().norm2Number().doubleValue(), 0.0, "parameters initialise to zero");
    }
}
