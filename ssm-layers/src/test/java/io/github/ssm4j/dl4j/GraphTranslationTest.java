package io.github.ssm4j.dl4j;

import static io.github.ssm4j.dl4j.LayerTranslationTest.conv;
import static io.github.ssm4j.dl4j.LayerTranslationTest.dense;
import static io.github.ssm4j.dl4j.LayerTranslationTest.out;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** ComputationGraphs: vertices, several inputs and outputs, both image formats, input-type inference. */
class GraphTranslationTest {
    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void twoInputsMergedAndTwoOutputsWithInferredInputSizes() {
        ComputationGraph net = Networks.graph(Networks.float64().graphBuilder()
                .addInputs("a", "b")
                .addLayer("da", dense(5, Activation.TANH), "a")
                .addLayer("db", dense(3, Activation.SIGMOID), "b")
                .addVertex("merge", new MergeVertex(), "da", "db")
                .addLayer("out", out(4), "merge")
                .addLayer("side", out(2), "da")
                .setOutputs("out", "side")
                .setInputTypes(InputType.feedForward(4), InputType.feedForward(6)).build());
        TranslatedNetwork g = NetworkTranslator.translate(net);
        assertEquals(List.of("a", "b"), g.inputs().stream().map(v -> v.name()).toList());
        assertEquals(2, g.outputs().size());
        TranslationCheck.of("two inputs, merge, two outputs", net, () -> NetworkTranslator.translate(net)).verify();
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void unetLikeBlockWithMergeAlongChannels(CNN2DFormat format) {
        InputType image = InputType.convolutional(6, 8, 2, format);
        ComputationGraph net = Networks.graph(Networks.float64().convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("image")
                .addLayer("c1", conv(3, 3).nOut(3).dataFormat(format).build(), "image")
                .addLayer("c2", conv(2, 2).nOut(4).dataFormat(format).build(), "c1")
                .addVertex("merge", new MergeVertex(), "c1", "c2", "image")
                .addLayer("c3", conv(3, 3).nOut(1).dataFormat(format).activation(Activation.IDENTITY).build(), "merge")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).format(format)
                        .activation(Activation.SIGMOID).build(), "c3")
                .setOutputs("out").setInputTypes(image).build());
        TranslationCheck.of("merge " + format, net, () -> NetworkTranslator.translate(net, image)).verify();
    }

    @ParameterizedTest
    @EnumSource(ElementWiseVertex.Op.class)
    void elementWiseVertex(ElementWiseVertex.Op op) {
        boolean two = op == ElementWiseVertex.Op.Subtract;
        ComputationGraphConfiguration.GraphBuilder b = Networks.float64().graphBuilder()
                .addInputs("x")
                .addLayer("d1", dense(5, Activation.TANH), "x")
                .addLayer("d2", dense(5, Activation.SIGMOID), "x");
        if (!two) {
            b.addLayer("d3", dense(5, Activation.SOFTPLUS), "x");
        }
        b.addVertex("op", new ElementWiseVertex(op), two ? new String[] {"d1", "d2"} : new String[] {"d1", "d2", "d3"})
                .addLayer("out", out(3), "op")
                .setOutputs("out").setInputTypes(InputType.feedForward(4));
        ComputationGraph net = Networks.graph(b.build());
        TranslationCheck.of("element-wise " + op, net, () -> NetworkTranslator.translate(net)).verify();
    }

    @Test
    void scaleShiftSubsetAndPreprocessorVertices() {
        ComputationGraph net = Networks.graph(Networks.float64().graphBuilder()
                .addInputs("image")
                .addLayer("conv", conv(2, 2).nOut(4).build(), "image")
                .addVertex("flat", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(5, 4, 4)), "conv")
                .addVertex("scaled", new ScaleVertex(1.5), "flat")
                .addVertex("shifted", new ShiftVertex(-0.25), "scaled")
                .addVertex("features", new SubsetVertex(3, 9), "shifted")
                .addLayer("out", out(3), "features")
                .addVertex("channels", new SubsetVertex(1, 2), "conv")
                .setOutputs("out", "channels").setInputTypes(InputType.convolutional(6, 5, 2)).build());
        TranslationCheck.of("scale, shift, subset, preprocessor", net,
                () -> NetworkTranslator.translate(net, new long[] {2, 6, 5})).verify();
    }
}
