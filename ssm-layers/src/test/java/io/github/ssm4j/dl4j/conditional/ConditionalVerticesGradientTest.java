package io.github.ssm4j.dl4j.conditional;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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

    /**
     * Runs {@code passes} forward and backward passes on other data first, without updating the parameters.
     * DL4J's own vertex returned a stale input gradient from the second backward pass on, which a check of a
     * fresh network cannot see.
     */
    private static void backpropOtherData(ComputationGraph net, int passes, long[] xShape, long[] labelShape) {
        for (int i = 0; i < passes; i++) {
            net.setInputs(ConditionalGraphs.randn(100 + i, xShape), ConditionalGraphs.sigmas(200 + i, N));
            net.setLabels(ConditionalGraphs.randn(300 + i, labelShape));
            net.computeGradientAndScore();
        }
    }

    /**
     * ENABLED is where DL4J's own vertex failed after its first pass; NONE checks the other path of ours, where
     * the backward graph's outputs are ordinary detached arrays.
     */
    @ParameterizedTest(name = "after {0} backward passes, workspaces {1}")
    @CsvSource({"0, ENABLED", "1, ENABLED", "3, ENABLED", "2, NONE"})
    void mlpWithFilmAndDivideBySigma(int earlierPasses, WorkspaceMode workspaces) {
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf = ConditionalGraphs.mlp(3, 5, new NoOp());
        conf.setTrainingWorkspaceMode(workspaces);
        conf.setInferenceWorkspaceMode(workspaces);
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        ConditionalGraphs.randomiseVertexParameters(net, 1);
        backpropOtherData(net, earlierPasses, new long[] {N, 3}, new long[] {N, 3});
        INDArray x = ConditionalGraphs.randn(2, N, 3);
        INDArray sigma = ConditionalGraphs.sigmas(3, N);
        INDArray labels = ConditionalGraphs.randn(4, N, 3);
        assertTrue(GradientCheckUtil.checkGradients(check(net, x, sigma, labels)));
    }

    @ParameterizedTest(name = "{0} after {1} backward passes")
    @CsvSource({"NCHW, 0", "NHWC, 0", "NCHW, 2", "NHWC, 2"})
    void cnnWithConditionalInstanceNormFilmAndDivideBySigma(CNN2DFormat format, int earlierPasses) {
        ComputationGraph net = new ComputationGraph(ConditionalGraphs.cnn(2, 4, format));
        net.init();
        ConditionalGraphs.randomiseVertexParameters(net, 5);
        long[] shape = format == CNN2DFormat.NCHW ? new long[] {N, 2, 4, 4} : new long[] {N, 4, 4, 2};
        long[] labelShape = format == CNN2DFormat.NCHW ? shape : new long[] {N, 2 * 4 * 4};  // NHWC: flat LossLayer
        backpropOtherData(net, earlierPasses, shape, labelShape);
        INDArray x = ConditionalGraphs.randn(6, shape);
        INDArray sigma = ConditionalGraphs.sigmas(7, N);
        INDArray labels = ConditionalGraphs.randn(8, labelShape);
        assertTrue(GradientCheckUtil.checkGradients(check(net, x, sigma, labels)));
    }
    /**
     * A float32 network's gradients, after two backward passes on other data, against the float64 network's with
     * the same parameters: the backward graph takes the network's dtype. Measured: 1.6e-7 of the gradient's norm,
     * float32 rounding (6e-8 per operation) grown through a few dozen ops; the bar, 1e-5, leaves 60× for other
     * CPUs' rounding, while a backward graph that ran in the wrong dtype or was doubled would be off by far more.
     */
    @Test
    void float32NetworkGradientsAgreeWithFloat64() {
        ComputationGraph net64 = new ComputationGraph(ConditionalGraphs.mlp(3, 5, new NoOp()));
        net64.init();
        ConditionalGraphs.randomiseVertexParameters(net64, 1);
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration conf32 = ConditionalGraphs.mlp(3, 5, new NoOp());
        conf32.setDataType(DataType.FLOAT);
        ComputationGraph net32 = new ComputationGraph(conf32);
        net32.init();
        net32.setParams(net64.params().castTo(DataType.FLOAT));
        INDArray[] gradients = new INDArray[2];
        ComputationGraph[] nets = {net64, net32};
        for (int k = 0; k < 2; k++) {
            DataType type = k == 0 ? DataType.DOUBLE : DataType.FLOAT;
            for (int i = 0; i < 3; i++) {                     // the last pass is the one compared
                nets[k].setInputs(ConditionalGraphs.randn(100 + i, N, 3).castTo(type),
                        ConditionalGraphs.sigmas(200 + i, N).castTo(type));
                nets[k].setLabels(ConditionalGraphs.randn(300 + i, N, 3).castTo(type));
                nets[k].computeGradientAndScore();
            }
            gradients[k] = nets[k].gradient().gradient().castTo(DataType.DOUBLE);
        }
        double error = gradients[1].sub(gradients[0]).norm2Number().doubleValue();
        double size = gradients[0].norm2Number().doubleValue();
        assertTrue(size > 0 && error < 1e-5 * size, "float32 gradient differs from float64 by " + error
                + " (norm " + size + ")");
    }
    /** A conditional vertex that ignores σ (2h): σ's gradient is exactly zero, not an error. */
    static final class IgnoresSigmaVertex extends SigmaConditionedVertex {
        @Override
        protected SDVariable define(SameDiff sd, SDVariable h, SDVariable sigma, Map<String, SDVariable> params,
                                    long[] shape) {
            return h.mul(2.0);
        }

        @Override
        protected SigmaConditionedVertex copyConfiguration() {
            return new IgnoresSigmaVertex();
        }
    }

    @Test
    void vertexWhoseOutputDoesNotDependOnSigma() {
        ComputationGraph net = new ComputationGraph(ConditionalGraphs.graph(new NoOp())
                .addLayer("dense", new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build(), "x")
                .addVertex("v", new IgnoresSigmaVertex(), "dense", "sigma")
                .addLayer("out", new LossLayer.Builder().nIn(3L).nOut(3L).activation(Activation.IDENTITY)
                        .lossFunction(LossFunctions.LossFunction.MSE).build(), "v")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(3), InputType.feedForward(1))
                .build());
        net.init();
        backpropOtherData(net, 2, new long[] {N, 3}, new long[] {N, 3});
        assertTrue(GradientCheckUtil.checkGradients(check(net, ConditionalGraphs.randn(2, N, 3),
                ConditionalGraphs.sigmas(3, N), ConditionalGraphs.randn(4, N, 3))));
    }
}
