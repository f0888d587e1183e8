package io.github.ssm4j.dl4j.conditional;

import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small float64 ComputationGraphs with inputs "x" and "sigma" for the conditional-vertex tests. */
final class ConditionalGraphs {
    private ConditionalGraphs() {
    }

    static INDArray randn(long seed, long... shape) {
        Random r = new Random(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.create(v, shape);
    }

    /** σ in [0.05, 2], log-uniform, shape [n, 1]. */
    static INDArray sigmas(long seed, int n) {
        Random r = new Random(seed);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = Math.exp(Math.log(0.05) + r.nextDouble() * Math.log(40));
        }
        return Nd4j.createFromArray(s).reshape(n, 1);
    }

    static ComputationGraphConfiguration.GraphBuilder graph(IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(DataType.DOUBLE)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("x", "sigma");
    }

    /** x → vertex(x, σ) → identity loss layer: the graph's output is the vertex's output. */
    static ComputationGraph single(GraphVertex vertex, InputType xType) {
        boolean image = xType instanceof InputType.InputTypeConvolutional;
        ComputationGraphConfiguration.GraphBuilder b = graph(new NoOp())
                .addVertex("v", vertex, "x", "sigma");
        if (image) {
            CNN2DFormat format = ((InputType.InputTypeConvolutional) xType).getFormat();
            b.addLayer("out", new CnnLossLayer.Builder().format(format).activation(Activation.IDENTITY)
                    .lossFunction(LossFunctions.LossFunction.MSE).build(), "v");
        } else {
            long size = ((InputType.InputTypeFeedForward) xType).getSize();
            b.addLayer("out", new LossLayer.Builder().nIn(size).nOut(size).activation(Activation.IDENTITY)
                    .lossFunction(LossFunctions.LossFunction.MSE).build(), "v");
        }
        ComputationGraph net = new ComputationGraph(b.setOutputs("out")
                .setInputTypes(xType, InputType.feedForward(1)).build());
        net.init();
        randomiseVertexParameters(net, 7);
        return net;
    }

    /** Dense (tanh) → FiLM(σ) → dense → ÷σ → MSE: a noise-conditional score MLP for [N, d] data. */
    static ComputationGraphConfiguration mlp(int d, int hidden, IUpdater updater) {
        return graph(updater)
                .addLayer("dense1", new DenseLayer.Builder().nOut(hidden).activation(Activation.TANH).build(), "x")
                .addVertex("film", new SigmaFiLMVertex(), "dense1", "sigma")
                .addLayer("dense2", new DenseLayer.Builder().nOut(d).activation(Activation.IDENTITY).build(), "film")
                .addVertex("score", new DivideBySigmaVertex(), "dense2", "sigma")
                .addLayer("out", new LossLayer.Builder().nIn((long) d).nOut((long) d).activation(Activation.IDENTITY)
                        .lossFunction(LossFunctions.LossFunction.MSE).build(), "score")
                .setOutputs("out")
                .setInputTypes(InputType.feedForward(d), InputType.feedForward(1))
                .build();
    }

    /**
     * Conv (tanh) → CondInstanceNorm(σ) → FiLM(σ) → conv → ÷σ → MSE, on [N, c, hw, hw] images (or NHWC). NCHW
     * ends in a CnnLossLayer; NHWC in a LossLayer on the flattened image, because DL4J 1.0.0-M2.1's
     * CnnLossLayer in NHWC reports a score that is not the one its gradient is of (half of the MSE for c = 2,
     * 4×4 images: a DL4J bug, independent of these vertices).
     */
    static ComputationGraphConfiguration cnn(int c, int hw, CNN2DFormat format) {
        ComputationGraphConfiguration.GraphBuilder b = graph(new NoOp())
                .addLayer("conv1", new ConvolutionLayer.Builder(3, 3).nOut(3).dataFormat(format)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), "x")
                .addVertex("norm", ConditionalInstanceNormVertex.builder().dataFormat(format).build(), "conv1", "sigma")
                .addVertex("film", SigmaFiLMVertex.builder().channels(3).dataFormat(format).build(), "norm", "sigma")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(c).dataFormat(format)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), "film")
                .addVertex("score", new DivideBySigmaVertex(), "conv2", "sigma");
        if (format == CNN2DFormat.NCHW) {
            b.addLayer("out", new CnnLossLayer.Builder().activation(Activation.IDENTITY)
                    .lossFunction(LossFunctions.LossFunction.MSE).build(), "score");
        } else {
            long size = (long) c * hw * hw;
            b.addLayer("out", new LossLayer.Builder().nIn(size).nOut(size).activation(Activation.IDENTITY)
                    .lossFunction(LossFunctions.LossFunction.MSE).build(), "score");
        }
        return b.setOutputs("out")
                .setInputTypes(InputType.convolutional(hw, hw, c, format), InputType.feedForward(1))
                .build();
    }

    /** Gives every σ-conditioning parameter a random value (they start at zero). */
    static void randomiseVertexParameters(ComputationGraph net, long seed) {
        long s = seed;
        for (Map.Entry<String, INDArray> p : net.paramTable().entrySet()) {
            String key = p.getKey();
            if (key.endsWith(SigmaAffineVertex.GAMMA_W) || key.endsWith(SigmaAffineVertex.GAMMA_B)
                    || key.endsWith(SigmaAffineVertex.BETA_W) || key.endsWith(SigmaAffineVertex.BETA_B)) {
                p.getValue().assign(randn(s++, p.getValue().shape()).muli(0.5));
            }
        }
    }
}
