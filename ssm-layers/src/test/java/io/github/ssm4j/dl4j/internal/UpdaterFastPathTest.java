package io.github.ssm4j.dl4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.train.internal.AdamKernel;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * NetworkAdapter.update steps the updater blocks directly when no layer normalises its gradient, instead
 * of DL4J's BaseMultiLayerUpdater.update (which rebuilds views for every parameter, the "external" path).
 * Either way the parameters and the updater state after several steps must be exactly those of DL4J's own
 * update — with L2 and weight decay, Adam and Nesterov momentum, a MultiLayerNetwork and a ComputationGraph,
 * with gradient normalisation (where the adapter takes DL4J's path itself), and with plain Adam in two updater
 * blocks (where the adapter steps them with {@code AdamKernel}).
 */
class UpdaterFastPathTest {
    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("MLN, Adam, L2 + weight decay", (Supplier<Model>) () -> mln(GradientNormalization.None)),
                Arguments.of("MLN, gradient clipping (DL4J's path)",
                        (Supplier<Model>) () -> mln(GradientNormalization.ClipElementWiseAbsoluteValue)),
                Arguments.of("ComputationGraph, Nesterovs", (Supplier<Model>) UpdaterFastPathTest::graph),
                Arguments.of("MLN, plain Adam in float (the Java Adam kernel)", (Supplier<Model>) UpdaterFastPathTest::plainAdam),
                Arguments.of("MLN, Adam and Nesterovs blocks in double (the Java Adam kernel and DL4J's block update)",
                        (Supplier<Model>) UpdaterFastPathTest::mixedUpdaters));
    }

    /** No regularisation: the blocks go to AdamKernel, whose result must still be DL4J's bit for bit. */
    private static MultiLayerNetwork plainAdam() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH)
                        .updater(new Adam(3e-3, 0.8, 0.99, 1e-6)).build())   // a second updater block
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    /** Three updater blocks, the middle one Nesterovs: AdamKernel steps two, DL4J's own block update one. */
    private static MultiLayerNetwork mixedUpdaters() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH)
                        .updater(new Nesterovs(1e-2, 0.9)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    private static MultiLayerNetwork mln(GradientNormalization normalization) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-2)).l2(1e-3).weightDecay(1e-2)
                .gradientNormalization(normalization).gradientNormalizationThreshold(0.5).list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    private static ComputationGraph graph() {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7)
                .dataType(DataType.DOUBLE).updater(new Nesterovs(1e-2, 0.9)).graphBuilder().addInputs("x")
                .setInputTypes(InputType.feedForward(3))
                .addLayer("h", new DenseLayer.Builder().nOut(5).activation(Activation.SOFTPLUS).build(), "x")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
                        .activation(Activation.IDENTITY).build(), "h")
                .setOutputs("out").build());
        net.init();
        return net;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void updateEqualsDl4jsOwn(String name, Supplier<Model> network) {
        if (name.contains("Java Adam kernel")) {
            // otherwise the kernel declines and this case would test DL4J against itself
            assertTrue(AdamKernel.backendAgrees(DataType.FLOAT), "the default native build runs the Java Adam kernel");
        }
        Model ours = network.get();
        Model dl4j = network.get();
        NetworkAdapter oursAdapter = NetworkAdapter.of(ours);
        NetworkAdapter dl4jAdapter = NetworkAdapter.of(dl4j);
        Nd4j.getRandom().setSeed(11);
        for (int step = 0; step < 4; step++) {
            Map<String, INDArray> gradients = new HashMap<>();
            double scale = step + 1;
            ours.paramTable().forEach((k, v) -> gradients.put(k, Nd4j.randn(v.dataType(), v.shape()).muli(scale)));

            Gradient written = oursAdapter.writeGradients(gradients);
            assertEquals(!name.contains("DL4J's path"), NetworkAdapter.blocksSeeTheGradientView(oursAdapter.updater(),
                    oursAdapter.gradientsView()), name + ": which path the adapter takes");
            oursAdapter.update(written);

            // DL4J's own: BaseMultiLayerUpdater.update, then params −= update, as its SGD optimiser does
            Gradient g = dl4jAdapter.writeGradients(gradients);
            BaseMultiLayerUpdater<?> updater = (BaseMultiLayerUpdater<?>) (dl4j instanceof MultiLayerNetwork m
                    ? m.getUpdater(true) : ((ComputationGraph) dl4j).getUpdater(true));
            updater.update(g, dl4jAdapter.iterationCount(), dl4jAdapter.epochCount(), 1, LayerWorkspaceMgr.noWorkspaces());
            dl4j.params().subi(dl4jAdapter.gradientsView().reshape(dl4j.params().shape()));
            dl4jAdapter.setIterationCount(dl4jAdapter.iterationCount() + 1);

            assertArrayEquals(dl4j.params().dup().data().asDouble(), ours.params().dup().data().asDouble(),
                    name + ": parameters after step " + (step + 1));
            assertArrayEquals(updater.getStateViewArray().dup().data().asDouble(),
                    stateOf(ours).dup().data().asDouble(), name + ": updater state after step " + (step + 1));
            // after DL4J's update the gradient view holds the update (listeners read it there)
            assertArrayEquals(dl4jAdapter.gradientsView().dup().data().asDouble(),
                    oursAdapter.gradientsView().dup().data().asDouble(), name + ": update after step " + (step + 1));
        }
    }

    /**
     * writeGradients zeroes the flat gradient view only when some parameter gets no gradient (a frozen layer's):
     * then that parameter's part must read zero, not what an earlier step left there.
     */
    @org.junit.jupiter.api.Test
    void parametersWithoutAGradientReadZero() {
        MultiLayerNetwork net = plainAdam();
        NetworkAdapter adapter = NetworkAdapter.of(net);
        Map<String, INDArray> all = new HashMap<>();
        net.paramTable().forEach((k, v) -> all.put(k, Nd4j.rand(v.dataType(), v.shape()).addi(1)));
        adapter.writeGradients(all);
        Map<String, INDArray> some = new HashMap<>(all);
        some.remove("1_W");
        adapter.writeGradients(some);
        INDArray view = adapter.gradientsView();
        INDArray w1 = adapter.gradientView("1_W", view);
        assertEquals(0.0, w1.amaxNumber().doubleValue(), "the parameter without a gradient");
        assertEquals(all.get("0_W"), adapter.gradientView("0_W", view), "the others hold theirs");
        assertEquals(all.get("2_b"), adapter.gradientView("2_b", view).reshape(all.get("2_b").shape()));
    }

    private static INDArray stateOf(Model m) {
        return m instanceof MultiLayerNetwork mln ? mln.getUpdater(true).getStateViewArray()
                : ((ComputationGraph) m).getUpdater(true).getStateViewArray();
    }
}
