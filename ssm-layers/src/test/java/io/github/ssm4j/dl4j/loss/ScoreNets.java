package io.github.ssm4j.dl4j.loss;

import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/** Small float64 DL4J score networks for the loss tests. */
final class ScoreNets {
    private ScoreNets() {
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

    /** D → H (tanh) → D (output activation), biases everywhere, NoOp updater (for gradient checks). */
    static MultiLayerConfiguration mlpConf(int d, int h, Activation output, ILossFunction loss) {
        return new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(d).nOut(h).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder().nIn(h).nOut(d).activation(output).lossFunction(loss).build())
                .build();
    }

    static MultiLayerNetwork mlp(int d, int h, Activation output, ILossFunction loss) {
        MultiLayerNetwork net = new MultiLayerNetwork(mlpConf(d, h, output, loss));
        net.init();
        // non-zero biases, so that every parameter is exercised
        net.getParam("0_b").assign(randn(3, 1, h).muli(0.3));
        net.getParam("1_b").assign(randn(4, 1, d).muli(0.3));
        return net;
    }

    /** A two-layer convolutional score network on [N, c, hw, hw] images, ending in a CnnLossLayer. */
    static MultiLayerNetwork cnn(int c, int hw, ILossFunction loss) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(c).activation(Activation.IDENTITY).build())
                .layer(new CnnLossLayer.Builder().activation(Activation.IDENTITY).lossFunction(loss).build())
                .setInputType(InputType.convolutional(hw, hw, c))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getParam("0_b").assign(randn(5, 1, 3).muli(0.3));
        net.getParam("1_b").assign(randn(6, 1, c).muli(0.3));
        return net;
    }
}
