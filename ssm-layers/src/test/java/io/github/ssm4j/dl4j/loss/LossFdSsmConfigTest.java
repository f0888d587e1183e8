package io.github.ssm4j.dl4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.objective.Projection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** JSON and Java serialisation, reproducible draws, and the messages for bad input. */
class LossFdSsmConfigTest {
    private static final IActivation IDENTITY = Activation.IDENTITY.getActivationFunction();

    @Test
    void lossRoundTripsThroughTheNetworkConfigurationJson() {
        LossFdSsm loss = LossFdSsm.builder().epsilon(0.05).varianceReduced(false).build();
        MultiLayerConfiguration conf = ScoreNets.mlpConf(3, 4, Activation.IDENTITY, loss);
        String json = conf.toJson();
        assertTrue(json.contains("\"@class\" : \"io.github.ssm4j.dl4j.loss.LossFdSsm\""), json);
        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, restored);
        assertEquals(loss, ((OutputLayer) restored.getConf(1).getLayer()).getLossFn());

        ComputationGraphConfiguration graph = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("x")
                .addLayer("s", new OutputLayer.Builder().nIn(2).nOut(2).activation(Activation.IDENTITY)
                        .lossFunction(new LossFdSsm()).build(), "x")
                .setOutputs("s")
                .build();
        assertEquals(graph, ComputationGraphConfiguration.fromJson(graph.toJson()));
    }

    @Test
    void networkWithTheLossSurvivesModelSerializer() throws IOException {
        LossFdSsm loss = LossFdSsm.builder().epsilon(1e-3).build();
        MultiLayerNetwork net = ScoreNets.mlp(3, 4, Activation.TANH, loss);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(
                bytes.toByteArray()), true);
        DataSet batch = new DataSet(ScoreNets.randn(1, 4, 3), null);
        FdSsmPreProcessor.builder().forLoss(loss).seed(1).build().preProcess(batch);
        assertEquals(net.score(batch), restored.score(batch), 0.0);
    }

    @Test
    void preProcessorRoundTripsThroughJsonAndJavaSerialisation() throws Exception {
        FdSsmPreProcessor p = FdSsmPreProcessor.builder().epsilon(0.02).projection(Projection.SCALED_SPHERE)
                .seed(99).flattenLabels(true).build();
        String json = p.toJson();
        assertTrue(json.contains("\"@class\":\"io.github.ssm4j.dl4j.loss.FdSsmPreProcessor\""), json);
        assertEquals(p, FdSsmPreProcessor.fromJson(json));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p);
        }
        FdSsmPreProcessor copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (FdSsmPreProcessor) in.readObject();
        }
        assertEquals(p, copy);
        INDArray x = ScoreNets.randn(4, 5, 2, 3);
        assertEquals(paired(p, x).getLabels(), paired(copy, x).getLabels(), "a copy draws the same sequence");
    }

    private static DataSet paired(FdSsmPreProcessor p, INDArray x) {
        DataSet batch = new DataSet(x.dup(), null);
        p.preProcess(batch);
        return batch;
    }

    @Test
    void pairingIsExactAndReproducible() {
        INDArray x = ScoreNets.randn(8, 5, 2, 3);
        FdSsmPreProcessor p = FdSsmPreProcessor.builder().epsilon(0.1).projection(Projection.RADEMACHER).seed(5)
                .build();
        DataSet first = paired(p, x);
        DataSet second = paired(p, x);
        assertArrayEquals(new long[] {10, 2, 3}, first.getFeatures().shape());
        assertArrayEquals(new long[] {10, 2, 3}, first.getLabels().shape(), "labels shaped like x");
        INDArray v = first.getLabels().get(NDArrayIndex.interval(0, 5));
        assertEquals(v, first.getLabels().get(NDArrayIndex.interval(5, 10)));
        assertEquals(x.add(v.mul(0.1)), first.getFeatures().get(NDArrayIndex.interval(0, 5)));
        assertEquals(x.sub(v.mul(0.1)), first.getFeatures().get(NDArrayIndex.interval(5, 10)));
        assertEquals(5 * 6, v.mul(v).sumNumber().doubleValue(), 0.0, "Rademacher entries are ±1");
        assertNotEquals(first.getLabels(), second.getLabels(), "each batch draws fresh v");

        FdSsmPreProcessor same = FdSsmPreProcessor.builder().epsilon(0.1).projection(Projection.RADEMACHER).seed(5)
                .build();
        assertEquals(first.getLabels(), paired(same, x).getLabels());
        assertEquals(second.getLabels(), paired(same, x).getLabels());
        p.reset();
        assertEquals(first.getLabels(), paired(p, x).getLabels(), "reset restarts the sequence");

        FdSsmPreProcessor flat = FdSsmPreProcessor.builder().seed(5).flattenLabels(true).build();
        assertArrayEquals(new long[] {10, 6}, paired(flat, x).getLabels().shape());
    }

    @Test
    void lossRejectsBatchesThatAreNotPairs() {
        LossFdSsm loss = new LossFdSsm(1e-2, true);
        INDArray v = ScoreNets.randn(1, 3, 2);
        INDArray labels = Nd4j.concat(0, v, v);
        INDArray out = ScoreNets.randn(2, 6, 2);

        assertMessage(() -> loss.computeScore(labels.get(NDArrayIndex.interval(0, 5)),
                out.get(NDArrayIndex.interval(0, 5)), IDENTITY, null, true), "even, positive number of rows");
        assertMessage(() -> loss.computeGradient(ScoreNets.randn(3, 6, 3), out, IDENTITY, null),
                "labels of shape [6, 3]");
        assertMessage(() -> loss.computeScore(null, out, IDENTITY, null, false), "no labels");
        assertMessage(() -> loss.computeScore(ScoreNets.randn(4, 6, 2), out, IDENTITY, null, false),
                "the two halves of the labels differ");
        assertMessage(() -> loss.computeScore(labels, out, IDENTITY, Nd4j.ones(6, 2), false), "per-example mask");
        INDArray uneven = Nd4j.createFromArray(1.0, 1.0, 0.0, 1.0, 1.0, 1.0).reshape(6, 1);
        assertMessage(() -> loss.computeScore(labels, out, IDENTITY, uneven, false), "both rows of a pair");
        assertMessage(() -> loss.computeScore(labels.reshape(6, 2, 1), out.reshape(6, 2, 1), IDENTITY, null, false),
                "2-d activations");
        assertMessage(() -> new LossFdSsm(0, true), "positive and finite");
        assertMessage(() -> new LossFdSsm(Double.NaN, false), "positive and finite");
    }

    @Test
    void fittingWithoutThePreProcessorFailsClearly() {
        MultiLayerNetwork net = ScoreNets.mlp(2, 3, Activation.IDENTITY, new LossFdSsm());
        INDArray x = ScoreNets.randn(1, 5, 2);
        assertMessage(() -> net.fit(new DataSet(x, x)), "FdSsmPreProcessor");
    }

    @Test
    void preProcessorRejectsWhatItCannotPair() {
        FdSsmPreProcessor p = FdSsmPreProcessor.builder().seed(1).build();
        DataSet masked = new DataSet(ScoreNets.randn(1, 4, 2), null, Nd4j.ones(4, 1), null);
        assertMessage(() -> p.preProcess(masked), "masks");
        INDArray bad = ScoreNets.randn(1, 4, 2);
        bad.putScalar(2, 1, Double.NaN);
        assertMessage(() -> p.preProcess(new DataSet(bad, null)), "example 2");
        assertMessage(() -> p.preProcess(new DataSet(Nd4j.ones(DataType.DOUBLE, 4), null)), "features [N, ...]");
        assertMessage(() -> p.pair(Nd4j.ones(4, 2), Nd4j.ones(4, 3)), "shaped like x [4, 2]");
        assertMessage(() -> FdSsmPreProcessor.builder().forLoss(new LossFdSsm()).projection(Projection.UNIT_SPHERE)
                .build(), "unit sphere");
        assertMessage(() -> FdSsmPreProcessor.builder().epsilon(-1).build(), "positive and finite");
        assertMessage(() -> FdSsmPreProcessor.builder().projection(null).build(), "projection distribution");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message should mention '" + fragment + "': " + e.getMessage());
    }
}
