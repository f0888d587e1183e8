package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.internal.TranslatedGraph;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A trainer that translates its network itself makes the graph's trainable variables views of the network's
 * parameters (TranslatedGraph.shareNetworkMemory), so that no copy into the graph is needed at each step.
 * Training must come out exactly as with a translation that copies (one passed to the builder), for a
 * MultiLayerNetwork with a transposed dense weight, a convolutional network and a ComputationGraph; and
 * parameters the user sets, or arrays DL4J replaces, must reach the graph.
 */
class SharedParameterMemoryTest {
    private static final InputType IMAGE = InputType.convolutional(5, 5, 2);

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("MLN, dense", (Supplier<Model>) SharedParameterMemoryTest::dense, new long[] {7, 3}),
                Arguments.of("MLN, convolution", (Supplier<Model>) SharedParameterMemoryTest::convolutional,
                        new long[] {4, 2, 5, 5}),
                Arguments.of("ComputationGraph", (Supplier<Model>) SharedParameterMemoryTest::graph, new long[] {6, 3}),
                // elu(x·W) is where SameDiff 1.0.0-M2.1 went wrong on repeated runs with 'f'-ordered variables
                Arguments.of("MLN, elu and softplus",
                        (Supplier<Model>) () -> mlp(new int[] {6, 5}, Activation.ELU, Activation.SOFTPLUS),
                        new long[] {5, 3}));
    }

    private static NeuralNetConfiguration.Builder config() {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).updater(new Adam(1e-2));
    }

    /** An MLP 3 → widths → 3: dense layer i with activation {@code hidden[i]}, an identity output layer. */
    private static MultiLayerNetwork mlp(int[] widths, Activation... hidden) {
        NeuralNetConfiguration.ListBuilder b = config().list();
        int in = 3;
        for (int i = 0; i < widths.length; i++) {
            b.layer(new DenseLayer.Builder().nIn(in).nOut(widths[i]).activation(hidden[i]).build());
            in = widths[i];
        }
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(in).nOut(3)
                .activation(Activation.IDENTITY).build());
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        return net;
    }

    private static MultiLayerNetwork dense() {
        return mlp(new int[] {9}, Activation.TANH);
    }

    private static MultiLayerNetwork convolutional() {
        MultiLayerNetwork net = new MultiLayerNetwork(config().list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(3).convolutionMode(
                        org.deeplearning4j.nn.conf.ConvolutionMode.Same).activation(Activation.SOFTPLUS).build())
                .layer(new DenseLayer.Builder().nOut(50).activation(Activation.IDENTITY).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1)
                        .activation(Activation.IDENTITY).build())   // an energy E(x)
                .setInputType(IMAGE).build());
        net.init();
        return net;
    }

    private static ComputationGraph graph() {
        ComputationGraph net = new ComputationGraph(config().graphBuilder().addInputs("x")
                .setInputTypes(InputType.feedForward(3))
                .addLayer("h", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "x")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
                        .activation(Activation.IDENTITY).build(), "h")
                .setOutputs("out").build());
        net.init();
        return net;
    }

    private static ScoreMatchingTrainer.Builder builder(Model net, String name) {
        ScoreMatchingTrainer.Builder b = ScoreMatchingTrainer.builder(net).seed(11);
        return name.contains("convolution") ? b.inputTypes(IMAGE).energyHead(EnergyHead.OUTPUT) : b;
    }

    private static TranslatedNetwork copyingTranslation(Model net, String name) {
        if (net instanceof ComputationGraph cg) {
            return NetworkTranslator.translate(cg);
        }
        return name.contains("convolution") ? NetworkTranslator.translate((MultiLayerNetwork) net, IMAGE)
                : NetworkTranslator.translate((MultiLayerNetwork) net);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void trainsExactlyAsWithCopiedParameters(String name, Supplier<Model> network, long[] batchShape) {
        for (ScoreMatchingObjective objective : new ScoreMatchingObjective[] {
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), DenoisingScoreMatching.withSigma(0.3)}) {
            Model sharing = network.get();
            Model copying = network.get();
            ScoreMatchingTrainer a = builder(sharing, name).objective(objective).build();
            ScoreMatchingTrainer b = builder(copying, name).objective(objective)
                    .translation(copyingTranslation(copying, name)).build();
            for (org.nd4j.autodiff.samediff.SDVariable v : a.graph().model().sameDiff().variables()) {
                if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
                    // the weights held transposed and the convolution kernel; not DL4J's bias vectors nor the
                    // energy output's [50, 1] weight, which DL4J flags 'f' (a copy is 'c')
                    boolean expected = v.getArr().rank() > 1 && v.getArr().size(1) > 1;
                    assertEquals(expected, root(v.getArr()) == root(sharing.params()),
                            name + ": whether the trainer's own translation views the network's " + v.name());
                }
            }
            for (int step = 0; step < 4; step++) {
                INDArray x = Nd4j.rand(DataType.FLOAT, batchShape).subi(0.5);
                assertEquals(b.step(x).loss(), a.step(x).loss(), 0.0, name + " " + objective.name() + " step " + step);
                assertArrayEquals(copying.params().data().asFloat(), sharing.params().data().asFloat(), 0f,
                        name + " " + objective.name() + ": parameters after step " + step);
            }
        }
    }

    @Test
    void theWeightsOfADenseNetworkAreSharedAndWritesReachTheGraph() {
        MultiLayerNetwork net = dense();
        TranslatedGraph t = (TranslatedGraph) NetworkTranslator.translate(net);
        assertEquals(2, t.shareNetworkMemory(), "the two weights, held transposed (the biases stay copies)");
        for (ParameterBinding b : t.bindings()) {
            INDArray variable = t.sameDiff().getArrForVarName(b.variable());
            assertEquals(b.toGraphLayout(net.getParam(b.networkKey())), variable, b.networkKey());
        }
        net.params().muli(-3);   // in place, as the trainer's update does
        INDArray w = t.sameDiff().getArrForVarName(t.bindings().stream()
                .filter(b -> b.networkKey().equals("0_W")).findFirst().orElseThrow().variable());
        assertEquals(net.getParam("0_W").transpose(), w, "the graph sees the network's new values without a pull");
    }

    /**
     * net.setParams copies into the network's array (the shared memory); a layer's setParamTable gives it new
     * parameter arrays, which the next pull must copy from. Either way the trainer's loss is that of a trainer
     * whose translation copies the network as it is then.
     */
    @Test
    void parametersSetOrReplacedByTheUserReachTheGraph() {
        MultiLayerNetwork net = dense();
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net).seed(11).build();
        INDArray x = Nd4j.rand(DataType.FLOAT, 7, 3).subi(0.5);
        RandomDraws draws = trainer.drawsForStep(x, 0);
        trainer.step(x);

        net.setParams(Nd4j.rand(DataType.FLOAT, net.params().shape()).subi(0.5));
        assertEquals(copyingLoss(net, x, draws), trainer.evaluate(x, draws, false).loss(), 0.0, "after setParams");

        java.util.Map<String, INDArray> replaced = new java.util.LinkedHashMap<>();
        net.getLayer(0).paramTable().forEach((k, v) -> replaced.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5)));
        net.getLayer(0).setParamTable(replaced);
        assertEquals(copyingLoss(net, x, draws), trainer.evaluate(x, draws, false).loss(), 0.0,
                "after a layer's parameter arrays were replaced");
    }

    private static double copyingLoss(MultiLayerNetwork net, INDArray x, RandomDraws draws) {
        return ScoreMatchingTrainer.builder(net).seed(11).translation(NetworkTranslator.translate(net)).build()
                .evaluate(x, draws, false).loss();
    }

    private static org.nd4j.linalg.api.buffer.DataBuffer root(INDArray a) {
        return a.data().originalDataBuffer() != null ? a.data().originalDataBuffer() : a.data();
    }

}
