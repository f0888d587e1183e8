package io.github.ssm4j.dl4j;

import static io.github.ssm4j.dl4j.LayerTranslationTest.conv;
import static io.github.ssm4j.dl4j.LayerTranslationTest.dense;
import static io.github.ssm4j.dl4j.LayerTranslationTest.out;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.UnsupportedNetworkException.Kind;
import io.github.ssm4j.dl4j.layers.LayerTranslator;
import io.github.ssm4j.dl4j.layers.TranslatorTable;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What cannot be translated is an exception that names the element, where it is, what is supported
 * and how to register a translator; a registered translator is used; a translator that ignores a
 * parameter is caught.
 */
class TranslationErrorTest {
    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** x², an activation DL4J users could write and the table does not know. */
    public static class ActivationSquare extends BaseActivationFunction {
        @Override
        public INDArray getActivation(INDArray in, boolean training) {
            return in.muli(in);
        }

        @Override
        public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
            return new Pair<>(in.mul(2.0).muli(epsilon), null);
        }

        @Override
        public String toString() {
            return "square";
        }
    }

    @Test
    void layerWithoutTranslator() {
        MultiLayerNetwork net = Networks.mln(InputType.recurrent(3, 5),
                new LSTM.Builder().nOut(4).activation(Activation.TANH).build());
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> NetworkTranslator.translate(net, InputType.recurrent(3, 5)));
        assertEquals(Kind.LAYER, e.kind());
        assertEquals("layer 0 (LSTM)", e.location());
        assertContains(e, "org.deeplearning4j.nn.conf.layers.LSTM", "Supported layers: [", "ConvolutionLayer",
                "SameDiffLayer (and subclasses)", "TranslatorTable.global().layer(LSTM.class, c -> ...)");
    }

    @Test
    void vertexWithoutTranslator() {
        ComputationGraph net = Networks.graph(Networks.float64().graphBuilder().addInputs("x")
                .addLayer("d", dense(4, Activation.TANH), "x")
                .addVertex("norm", new L2NormalizeVertex(), "d")
                .addLayer("out", out(2), "norm")
                .setOutputs("out").setInputTypes(InputType.feedForward(3)).build());
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> NetworkTranslator.translate(net));
        assertEquals(Kind.VERTEX, e.kind());
        assertContains(e, "vertex 'norm' (L2NormalizeVertex)", "Supported vertices: [", "MergeVertex",
                "TranslatorTable.global().vertex(L2NormalizeVertex.class, c -> ...)");
    }

    @Test
    void preprocessorWithoutTranslator() {
        MultiLayerConfiguration conf = Networks.float64().list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(4).build())
                .inputPreProcessor(0, new RnnToFeedForwardPreProcessor()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> NetworkTranslator.translate(net, InputType.recurrent(3, 2)));
        assertEquals(Kind.PREPROCESSOR, e.kind());
        assertContains(e, "preprocessor RnnToFeedForwardPreProcessor of layer 0 (DenseLayer)",
                "Supported preprocessors: [", "CnnToFeedForwardPreProcessor",
                "TranslatorTable.global().preprocessor(RnnToFeedForwardPreProcessor.class");
    }

    @Test
    void activationWithoutTranslatorThenRegistered() {
        MultiLayerNetwork net = Networks.mln(InputType.feedForward(3),
                new DenseLayer.Builder().nOut(4).activation(new ActivationSquare()).name("squares").build(), out(2));
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> NetworkTranslator.translate(net));
        assertEquals(Kind.ACTIVATION, e.kind());
        assertContains(e, "activation square", "of layer 0 (DenseLayer 'squares')", "Supported activations: [",
                "ActivationReLU", "TranslatorTable.global().activation(ActivationSquare.class, (a, x, rank) -> ...)");

        TranslatorTable.global().activation(ActivationSquare.class, (a, x, rank) -> x.mul(x));
        TranslationCheck.of("registered activation", net, () -> NetworkTranslator.translate(net)).verify();
    }

    @Test
    void unsupportedOptionOfASupportedLayer() {
        MultiLayerNetwork net = Networks.mln(InputType.convolutional(6, 6, 1),
                new SubsamplingLayer.Builder(PoolingType.SUM).kernelSize(3, 3).stride(1, 1).build());
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> NetworkTranslator.translate(net, InputType.convolutional(6, 6, 1)));
        assertEquals(Kind.LAYER, e.kind());
        assertContains(e, "Cannot translate layer 0 (SubsamplingLayer): pooling type SUM");
    }

    @Test
    void inputSizeNotRecorded() {
        MultiLayerNetwork net = Networks.mln(InputType.convolutional(6, 6, 1), conv(3, 3).nOut(2).build());
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class,
                () -> NetworkTranslator.translate(net));
        assertEquals(Kind.INPUT, e.kind());
        assertContains(e, "NetworkTranslator.translate(net, inputType)", "InputType.convolutional(height, width, "
                + "channels)", "new long[] {channels, height, width}");
        assertEquals(1, NetworkTranslator.translate(net, 1, 6, 6).outputs().size());
    }

    @Test
    void translatorThatIgnoresAParameterIsCaught() {
        LayerTranslator<DenseLayer> builtIn = TranslatorTable.global().forLayer(new DenseLayer.Builder().build());
        MultiLayerNetwork net = Networks.mln(InputType.feedForward(3), dense(4, Activation.TANH));
        try {
            TranslatorTable.global().layer(DenseLayer.class, c -> c.input().mmul(c.param("W")));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> NetworkTranslator.translate(net));
            assertContains(e, "The translator of layer 0 (DenseLayer) did not use parameter(s) [b]");
        } finally {
            TranslatorTable.global().layer(DenseLayer.class, builtIn);
        }
        NetworkTranslator.translate(net);
    }

    @Test
    void uninitialisedNetworkAndWrongNumberOfInputTypes() {
        MultiLayerNetwork raw = new MultiLayerNetwork(Networks.float64().list().layer(dense(2, Activation.TANH))
                .setInputType(InputType.feedForward(3)).build());
        assertContains(assertThrows(IllegalArgumentException.class, () -> NetworkTranslator.translate(raw)),
                "net.init()");
        ComputationGraph net = Networks.graph(Networks.float64().graphBuilder().addInputs("a", "b")
                .addLayer("d", dense(2, Activation.TANH), "a").addLayer("e", dense(2, Activation.TANH), "b")
                .setOutputs("d", "e").setInputTypes(InputType.feedForward(3), InputType.feedForward(3)).build());
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> NetworkTranslator.translate(net, InputType.feedForward(3))), "has 2 inputs [a, b] but 1");
    }

    private static void assertContains(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message lacks '" + p + "':\n" + e.getMessage());
        }
    }
}
