package io.github.ssm4j.dl4j;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Float64 test networks with random parameters (biases and BN statistics too, so none is trivially 0 or 1). */
final class Networks {
    private Networks() {
    }

    static NeuralNetConfiguration.Builder float64() {
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(12345).weightInit(WeightInit.XAVIER);
    }

    /** A MultiLayerNetwork of these layers; the input type sets nIn and adds preprocessors. */
    static MultiLayerNetwork mln(InputType input, Layer... layers) {
        NeuralNetConfiguration.ListBuilder b = float64().list();
        for (Layer l : layers) {
            b.layer(l);
        }
        MultiLayerConfiguration conf = b.setInputType(input).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        randomize(net.paramTable().values(), 7);
        return net;
    }

    static ComputationGraph graph(ComputationGraphConfiguration conf) {
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        randomize(net.paramTable().values(), 11);
        return net;
    }

    /** Adds uniform noise in [−0.1, 0.1] to every parameter; BN variances (initially 1) stay positive. */
    private static void randomize(Iterable<INDArray> params, long seed) {
        java.util.Random r = new java.util.Random(seed);
        for (INDArray p : params) {
            for (long i = 0; i < p.length(); i++) {
                p.putScalar(i, p.getDouble(i) + 0.2 * (r.nextDouble() - 0.5));
            }
        }
    }
}
