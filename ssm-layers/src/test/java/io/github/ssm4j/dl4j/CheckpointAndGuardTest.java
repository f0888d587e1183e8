package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** Checkpoints (atomic, exact resume, updater state), the NaN guard, bad batches and listeners. */
class CheckpointAndGuardTest {
    @TempDir
    Path dir;

    private static ScoreMatchingTrainer.Builder trainer(MultiLayerNetwork net) {
        return ScoreMatchingTrainer.builder(net);
    }

    @Test
    void resumingFromAMidEpochCheckpointGivesTheSameParametersAsUninterruptedTraining() throws Exception {
        ListDataSetIterator<DataSet> data = ScoreMatchingTrainerTest.gaussianBatches(5, 32, 11);
        MultiLayerNetwork uninterrupted = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 3);
        trainer(uninterrupted).objective(SlicedScoreMatching.standard(Projection.GAUSSIAN)).seed(9).build()
                .fit(data, 3);

        MultiLayerNetwork first = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 3);
        Path checkpoints = dir.resolve("run");
        trainer(first).objective(SlicedScoreMatching.standard(Projection.GAUSSIAN)).seed(9)
                .checkpoints(checkpoints, 7, 2).build().fit(data, 2);   // step 7 falls inside epoch 1
        Path step7 = checkpoints.resolve("checkpoint-step-00000007.zip");
        assertTrue(Files.isRegularFile(step7));
        try (Stream<Path> files = Files.list(checkpoints)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("checkpoint-step-00000007.zip", "checkpoint-step-00000010.zip"), names,
                    "keeps the last 2, no partial files");
        }
        Checkpoint cp = Checkpoint.load(step7);
        assertEquals(2, cp.state().batchesDoneInEpoch());
        MultiLayerNetwork resumed = cp.multiLayerNetwork();
        assertEquals(7, resumed.getIterationCount());
        assertEquals(1, resumed.getEpochCount());
        ScoreMatchingTrainer.resume(cp).build().fitToEpoch(data, 3);
        assertEquals(uninterrupted.getIterationCount(), resumed.getIterationCount());
        // bit-identical: same draws per step, same updater state, same batches
        assertArrayEquals(uninterrupted.params().toDoubleVector(), resumed.params().toDoubleVector());
        assertArrayEquals(uninterrupted.getUpdater().getStateViewArray().toDoubleVector(),
                resumed.getUpdater().getStateViewArray().toDoubleVector());
    }

    @Test
    void fitToStepStopsMidEpochWithACheckpointAndResumesToTheSameParameters() throws Exception {
        ListDataSetIterator<DataSet> data = ScoreMatchingTrainerTest.gaussianBatches(5, 32, 11);   // 5 batches/epoch
        MultiLayerNetwork uninterrupted = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 3);
        trainer(uninterrupted).objective(SlicedScoreMatching.standard(Projection.GAUSSIAN)).seed(9).build()
                .fitToStep(data, 12);
        assertEquals(12, uninterrupted.getIterationCount(), "exactly the steps asked for, not whole epochs");
        assertEquals(2, uninterrupted.getEpochCount(), "two whole epochs and two batches of the third");

        MultiLayerNetwork first = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 3);
        Path checkpoints = dir.resolve("steps");
        trainer(first).objective(SlicedScoreMatching.standard(Projection.GAUSSIAN)).seed(9)
                .checkpoints(checkpoints, 100, 1).build().fitToStep(data, 8);
        assertEquals(8, first.getIterationCount());
        Path step8 = checkpoints.resolve("checkpoint-step-00000008.zip");
        assertTrue(Files.isRegularFile(step8), "stopping mid-epoch writes a checkpoint");
        Checkpoint cp = Checkpoint.load(step8);
        assertEquals(3, cp.state().batchesDoneInEpoch());
        MultiLayerNetwork resumed = cp.multiLayerNetwork();
        ScoreMatchingTrainer.resume(cp).build().fitToStep(data, 12);
        assertEquals(12, resumed.getIterationCount());
        assertArrayEquals(uninterrupted.params().toDoubleVector(), resumed.params().toDoubleVector());
        assertThrows(IllegalArgumentException.class, () -> trainer(first).build().fitToStep(data, -1));
    }

    @Test
    void aTrainedNetworkRoundTripsThroughModelSerializerWithItsUpdaterState() throws Exception {
        MultiLayerNetwork net = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 4);
        trainer(net).build().fit(ScoreMatchingTrainerTest.gaussianBatches(3, 16, 2), 2);
        Path file = dir.resolve("net.zip");
        ModelSerializer.writeModel(net, file.toFile(), true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 4, 2);
        assertEquals(net.output(x), restored.output(x));
    }

    @Test
    void aNonFiniteLossStopsTrainingNamingTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        MultiLayerNetwork net = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 5);
        Path checkpoints = dir.resolve("nan");
        ListDataSetIterator<DataSet> data = ScoreMatchingTrainerTest.gaussianBatches(2, 8, 3);
        ScoreMatchingTrainer t = trainer(net).checkpoints(checkpoints, 1, 5).build();
        t.fit(data, 1);
        Path good = ScoreMatchingTrainer.latestCheckpoint(checkpoints);
        byte[] goodBytes = Files.readAllBytes(good);
        net.getParam("1_W").putScalar(0, 0, 1e200);               // the score overflows: ½‖s‖² = inf
        INDArray before = net.params().dup();
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> t.fit(data, 1));
        assertTrue(e.getMessage().contains("Step 3"), e.getMessage());
        assertEquals(before, net.params(), "the failing step changed no weight");
        assertEquals(good, ScoreMatchingTrainer.latestCheckpoint(checkpoints));
        assertArrayEquals(goodBytes, Files.readAllBytes(good));
    }

    @Test
    void aBadBatchIsReportedWithItsNumber() {
        MultiLayerNetwork net = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 6);
        ScoreMatchingTrainer t = trainer(net).build();
        INDArray ok = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 4, 2);
        INDArray nan = ok.dup();
        nan.putScalar(2, 1, Double.NaN);
        INDArray wide = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 4, 3);
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> t.fit(
                new ListDataSetIterator<>(List.of(new DataSet(ok, ok), new DataSet(nan, nan)), 1), 1));
        assertTrue(e1.getMessage().contains("Batch 1 of epoch 0") && e1.getMessage().contains("row 2"), e1.getMessage());
        ScoreMatchingTrainer fresh = trainer(net).build(); // t has trained batch 0 of epoch 0 and would skip it
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> fresh.fit(
                new ListDataSetIterator<>(List.of(new DataSet(wide, wide)), 1), 1));
        assertTrue(e2.getMessage().contains("Batch 0") && e2.getMessage().contains("[4, 3]")
                && e2.getMessage().contains("[-1, 2]"), e2.getMessage());
    }

    @Test
    void listenersOfBothKindsHearEveryStep() {
        MultiLayerNetwork net = ScoreMatchingTrainerTest.mlp(new Adam(0.01), 7);
        AtomicInteger dl4j = new AtomicInteger();
        AtomicInteger ours = new AtomicInteger();
        double[] lastScore = {Double.NaN};
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                dl4j.incrementAndGet();
                lastScore[0] = model.score();
            }
        });
        double[] lastLoss = {Double.NaN};
        trainer(net).listeners((step, epoch, e, n) -> {
            ours.incrementAndGet();
            lastLoss[0] = e.loss();
        }, new LoggingListener(1)).build().fit(ScoreMatchingTrainerTest.gaussianBatches(3, 8, 1), 2);
        assertEquals(6, dl4j.get());
        assertEquals(6, ours.get());
        assertEquals(lastLoss[0], lastScore[0], 0.0, "the network's score is the objective's loss");
    }

    @Test
    void aNetworkWhoseOutputIsNotShapedLikeItsInputNeedsAnEnergyHead() {
        MultiLayerNetwork net = new MultiLayerNetwork(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .dataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE).list()
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(2).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build()).build());
        net.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(net).build());
        assertTrue(e.getMessage().contains("[-1, 3]") && e.getMessage().contains("[-1, 2]")
                && e.getMessage().contains("energyHead"), e.getMessage());
        // as an energy model (−logsumexp of the logits) it trains
        MultiLayerNetwork ebm = net.clone();
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(ebm)
                .energyHead(EnergyHead.NEGATIVE_LOG_SUM_EXP).objective(DenoisingScoreMatching.withSigma(0.5)).build();
        INDArray before = ebm.params().dup();
        trainer.fit(ScoreMatchingTrainerTest.gaussianBatches(2, 8, 1), 1);
        assertFalse(before.equals(ebm.params()));
        assertNotNull(trainer.graph().model().energy());
    }
}
