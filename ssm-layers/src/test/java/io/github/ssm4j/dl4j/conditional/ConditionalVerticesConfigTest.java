package io.github.ssm4j.dl4j.conditional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

/** JSON round trips, clones, channel inference, and the messages for bad configurations and inputs. */
class ConditionalVerticesConfigTest {

    @Test
    void graphConfigurationsRoundTripThroughJson() {
        ComputationGraphConfiguration[] confs = {ConditionalGraphs.mlp(3, 5, new Adam(1e-3)),
            ConditionalGraphs.cnn(2, 4, CNN2DFormat.NCHW), ConditionalGraphs.cnn(2, 4, CNN2DFormat.NHWC)};
        long[][] inputShapes = {{3, 3}, {3, 2, 4, 4}, {3, 4, 4, 2}};
        for (int i = 0; i < confs.length; i++) {
            ComputationGraphConfiguration conf = confs[i];
            String json = conf.toJson();
            assertTrue(json.contains("io.github.ssm4j.dl4j.conditional.DivideBySigmaVertex"), json);
            ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);
            assertEquals(conf, restored);
            assertEquals(conf, conf.clone());
            assertEquals(json, restored.toJson());

            ComputationGraph original = new ComputationGraph(conf);
            original.init();
            ConditionalGraphs.randomiseVertexParameters(original, 3);
            ComputationGraph copy = new ComputationGraph(restored);
            copy.init(original.params().dup(), false);
            INDArray x = ConditionalGraphs.randn(1, inputShapes[i]);
            INDArray sigma = ConditionalGraphs.sigmas(2, 3);
            assertEquals(original.outputSingle(x, sigma), copy.outputSingle(x, sigma));
        }
    }

    @Test
    void configurationsKeepTheirFields() {
        ConditionalInstanceNormVertex norm = ConditionalInstanceNormVertex.builder().channels(6)
                .dataFormat(CNN2DFormat.NHWC).epsilon(1e-3).build();
        assertEquals(6, norm.getChannels());
        assertEquals(CNN2DFormat.NHWC, norm.getDataFormat());
        assertEquals(1e-3, norm.getEpsilon());
        assertEquals(norm, norm.clone());
        assertEquals(4 * 6, norm.numParams(true));
        assertNotEquals(norm, ConditionalInstanceNormVertex.builder().channels(6).dataFormat(CNN2DFormat.NHWC).build());
        assertNotEquals(SigmaFiLMVertex.builder().channels(6).build(), norm);
        assertEquals(new DivideBySigmaVertex(), new DivideBySigmaVertex().clone());
        assertEquals(0, new DivideBySigmaVertex().numParams(true));
    }

    @Test
    void channelsAreInferredFromInputTypes() {
        ComputationGraphConfiguration conf = ConditionalGraphs.graph(new NoOp())
                .addLayer("dense", new DenseLayer.Builder().nOut(7).build(), "x")
                .addVertex("film", new SigmaFiLMVertex(), "dense", "sigma")
                .setOutputs("film")
                .setInputTypes(InputType.feedForward(3), InputType.feedForward(1))
                .build();
        SigmaFiLMVertex film = (SigmaFiLMVertex) conf.getVertices().get("film");
        assertEquals(7, film.getChannels());
        assertEquals(4 * 7, film.numParams(true));
    }

    @Test
    void badConfigurationsFailWhenTheGraphIsBuilt() {
        assertMessage(InvalidInputTypeException.class, () -> build(SigmaFiLMVertex.builder().channels(3).build(),
                InputType.feedForward(4), InputType.feedForward(1)), "configured for 3 channels");
        assertMessage(InvalidInputTypeException.class, () -> build(new SigmaFiLMVertex(),
                InputType.convolutional(4, 4, 2, CNN2DFormat.NHWC), InputType.feedForward(1)), "dataFormat(NHWC)");
        assertMessage(InvalidInputTypeException.class, () -> build(new DivideBySigmaVertex(),
                InputType.feedForward(4), InputType.feedForward(2)), "feed-forward of size 1");
        assertMessage(InvalidInputTypeException.class, () -> build(new ConditionalInstanceNormVertex(),
                InputType.feedForward(4), InputType.feedForward(1)), "normalises images");
        assertMessage(IllegalArgumentException.class, () -> ConditionalInstanceNormVertex.builder().epsilon(0).build(),
                "positive and finite");
        assertMessage(IllegalArgumentException.class, () -> SigmaFiLMVertex.builder().channels(-2).build(),
                "must be positive");
        ComputationGraphConfiguration noTypes = ConditionalGraphs.graph(new NoOp())
                .addVertex("film", new SigmaFiLMVertex(), "x", "sigma")
                .setOutputs("film")
                .build();
        assertMessage(IllegalStateException.class, () -> new ComputationGraph(noTypes).init(), "channels(C)");
    }

    private static void build(SigmaConditionedVertex vertex, InputType x, InputType sigma) {
        ConditionalGraphs.graph(new NoOp())
                .addVertex("v", vertex, "x", "sigma")
                .setOutputs("v")
                .setInputTypes(x, sigma)
                .build();
    }

    @Test
    void badNoiseLevelsFailOnTheForwardPass() {
        ComputationGraph net = ConditionalGraphs.single(new SigmaFiLMVertex(), InputType.feedForward(3));
        INDArray x = ConditionalGraphs.randn(1, 4, 3);
        assertMessage(IllegalArgumentException.class,
                () -> net.outputSingle(x, Nd4j.createFromArray(0.5, 0.0, 1.0, 2.0).reshape(4, 1)), "example 1 has σ = 0.0");
        assertMessage(IllegalArgumentException.class,
                () -> net.outputSingle(x, Nd4j.createFromArray(0.5, 1.0, Double.NaN, 2.0).reshape(4, 1)), "example 2");
        assertMessage(IllegalArgumentException.class, () -> net.outputSingle(x, ConditionalGraphs.sigmas(3, 5)),
                "[4, 1]");
        ComputationGraph norm = ConditionalGraphs.single(new ConditionalInstanceNormVertex(),
                InputType.convolutional(1, 1, 2));
        assertMessage(IllegalArgumentException.class,
                () -> norm.outputSingle(ConditionalGraphs.randn(4, 3, 2, 1, 1), ConditionalGraphs.sigmas(5, 3)),
                "H·W ≥ 2");
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String fragment) {
        Throwable e = assertThrows(Throwable.class, call);
        Throwable cause = e;
        while (!type.isInstance(cause) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(type.isInstance(cause), "expected " + type.getSimpleName() + " but got " + e);
        assertTrue(cause.getMessage().contains(fragment), "message should mention '" + fragment + "': "
                + cause.getMessage());
    }
}
