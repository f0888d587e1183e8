package io.github.ssm4j.dl4j;

import static io.github.ssm4j.dl4j.LayerTranslationTest.conv;
import static io.github.ssm4j.dl4j.LayerTranslationTest.dense;
import static io.github.ssm4j.dl4j.LayerTranslationTest.out;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bindings, state constants, frozen layers, pulling and pushing parameters, dtypes, and wrapping into a
 * ScoreFunction.
 */
class ParameterBindingTest {
    private static final InputType IMG = InputType.convolutional(5, 5, 2);

    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private static MultiLayerNetwork cnnWithBatchNorm() {
        return Networks.mln(IMG, conv(3, 3).nOut(3).build(), new BatchNormalization.Builder().build(), out(2));
    }

    @Test
    void oneVariablePerTrainableParameterAndConstantsForRunningStatistics() {
        MultiLayerNetwork net = cnnWithBatchNorm();
        TranslatedNetwork g = NetworkTranslator.translate(net, IMG);
        assertEquals(List.of("0_b", "0_W", "1_gamma", "1_beta", "2_W", "2_b"),      // DL4J's order
                g.bindings().stream().map(ParameterBinding::networkKey).toList());
        assertEquals(net.paramTable().keySet().stream().filter(k -> !k.startsWith("1_mean") && !k.startsWith("1_log"))
                .toList(), g.bindings().stream().map(ParameterBinding::networkKey).toList());
        assertEquals(List.of("1_mean", "1_log10stdev"),
                g.stateBindings().stream().map(ParameterBinding::networkKey).toList());
        for (ParameterBinding b : g.bindings()) {
            SDVariable v = g.sameDiff().getVariable(b.variable());
            assertEquals(VariableType.VARIABLE, v.getVariableType());
            // the output layer's weight [27, 2] is held as its transpose, DL4J's memory layout
            assertEquals(b.networkKey().equals("2_W"), b.transposed(), b.networkKey());
            INDArray p = b.toGraphLayout(net.getParam(b.networkKey()));
            assertArrayEquals(p.shape(), v.getArr().shape(), b.networkKey());
            assertEquals(p, v.getArr(), b.networkKey());
            assertNotSame(p, v.getArr());
            assertEquals(b.networkKey(), g.networkKeys().get(b.variable()));
        }
        for (ParameterBinding b : g.stateBindings()) {
            assertEquals(VariableType.CONSTANT, g.sameDiff().getVariable(b.variable()).getVariableType());
        }
        assertEquals(6, g.sameDiff().variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
                .count(), "no other trainable variables");
        assertEquals("input", g.input().name());
        assertArrayEquals(new long[] {-1, 2, 5, 5}, g.input().placeholderShape());
    }

    @Test
    void pullCopiesTheNetworkIntoTheGraphAndPushTheGraphIntoTheNetwork() {
        MultiLayerNetwork net = cnnWithBatchNorm();
        TranslatedNetwork g = NetworkTranslator.translate(net, IMG);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 2, 5, 5);

        net.getParam("0_W").muli(1.5);
        net.getParam("1_mean").addi(0.3);
        net.getParam("1_log10stdev").subi(0.2);
        assertTrue(output(g, x).sub(net.output(x)).amaxNumber().doubleValue() > 1e-3, "graph holds copies");
        g.pullParameters();
        assertTrue(output(g, x).equalsWithEps(net.output(x), 1e-12), "after pullParameters");

        for (ParameterBinding b : g.bindings()) {
            g.sameDiff().getArrForVarName(b.variable()).muli(0.9).addi(0.01);
        }
        g.pushParameters();
        assertTrue(output(g, x).equalsWithEps(net.output(x), 1e-12), "after pushParameters");
    }

    /**
     * Dense weights are held transposed exactly where that is DL4J's memory layout and safe: W [nIn, nOut]
     * column-major with nIn, nOut &gt; 1 — not for an [n, 1] weight (an energy head) or a [1, n] one — and pulling
     * and pushing go through the layout both ways.
     */
    @Test
    void denseWeightsAreHeldTransposedWhereThatIsTheNetworksLayout() {
        MultiLayerNetwork net = Networks.mln(InputType.feedForward(4), dense(6, Activation.TANH),
                dense(1, Activation.TANH), out(3));
        TranslatedNetwork g = NetworkTranslator.translate(net);
        Map<String, Boolean> transposed = new java.util.LinkedHashMap<>();
        g.bindings().forEach(b -> transposed.put(b.networkKey(), b.transposed()));
        assertEquals(Map.of("0_W", true, "0_b", false, "1_W", false, "1_b", false, "2_W", false, "2_b", false),
                transposed);
        ParameterBinding w = g.bindings().get(0);
        assertArrayEquals(new long[] {6, 4}, g.sameDiff().getArrForVarName(w.variable()).shape());
        assertEquals(net.getParam("0_W").transpose(), g.sameDiff().getArrForVarName(w.variable()));

        INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 4);
        net.getParam("0_W").muli(-1.3);
        g.pullParameters();
        assertTrue(output(g, x).equalsWithEps(net.output(x), 1e-12), "after pullParameters");
        g.sameDiff().getArrForVarName(w.variable()).getRow(2).addi(0.25);   // row 2 of Wᵀ: column 2 of W
        INDArray expected = net.getParam("0_W").dup();
        expected.getColumn(2).addi(0.25);
        g.pushParameters();
        assertEquals(expected, net.getParam("0_W"));
        assertTrue(output(g, x).equalsWithEps(net.output(x), 1e-12), "after pushParameters");
    }

    @Test
    void float32NetworksGiveFloat32Graphs() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .seed(3).list().layer(dense(5, Activation.TANH)).layer(out(4))
                .setInputType(InputType.feedForward(4)).build());
        net.init();
        TranslatedNetwork g = NetworkTranslator.translate(net);
        assertEquals(DataType.FLOAT, g.input().dataType());
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 4);
        INDArray y = output(g, x);
        assertEquals(DataType.FLOAT, y.dataType());
        assertTrue(y.equalsWithEps(net.output(x), 1e-5));
    }

    @Test
    void translatedNetworksWrapIntoScoreFunctions() {
        MultiLayerNetwork scoreNet = Networks.mln(InputType.feedForward(3), dense(8, Activation.SOFTPLUS), out(3));
        TranslatedNetwork s = NetworkTranslator.translate(scoreNet);
        ScoreFunction score = ScoreFunction.ofScore(s.input(), s.output());
        assertEquals(List.copyOf(s.networkKeys().keySet()), score.trainableVariables());

        MultiLayerNetwork energyNet = Networks.mln(InputType.feedForward(3), dense(8, Activation.TANH), out(1));
        TranslatedNetwork e = NetworkTranslator.translate(energyNet);
        ScoreFunction energy = ScoreFunction.ofEnergy(e.input(), e.output());
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3);
        INDArray sx = e.sameDiff().output(Map.of("input", x), energy.score().name()).get(energy.score().name());
        assertArrayEquals(new long[] {4, 3}, sx.shape());
    }

    @Test
    void frozenLayersTranslateWithConstantParameters() {
        MultiLayerNetwork base = Networks.mln(IMG, conv(3, 3).nOut(3).build(), new BatchNormalization.Builder().build(),
                dense(4, Activation.TANH), out(2));
        MultiLayerNetwork net = new TransferLearning.Builder(base).setFeatureExtractor(2).build();
        assertTrue(net.getLayerWiseConfigurations().getConf(0).getLayer() instanceof FrozenLayer,
                () -> net.getLayerWiseConfigurations().getConf(0).getLayer().getClass().getName());
        TranslatedNetwork g = NetworkTranslator.translate(net, IMG);
        assertEquals(List.of("3_W", "3_b"), g.bindings().stream().map(ParameterBinding::networkKey).toList());
        assertEquals(List.of("0_b", "0_W", "1_gamma", "1_beta", "1_mean", "1_log10stdev", "2_W", "2_b"),
                g.stateBindings().stream().map(ParameterBinding::networkKey).toList());
        TranslationCheck.of("frozen feature extractor", net, () -> NetworkTranslator.translate(net, IMG))
                .inferenceOnly().verify();
    }

    private static INDArray output(TranslatedNetwork g, INDArray x) {
        return g.sameDiff().output(Map.of(g.input().name(), x), g.output().name()).get(g.output().name());
    }
}
