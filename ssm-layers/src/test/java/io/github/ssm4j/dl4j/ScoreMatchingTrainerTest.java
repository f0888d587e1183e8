package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class ScoreMatchingTrainerTest {

    static MultiLayerNetwork mlp(IUpdater updater, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE)
                .updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ListDataSetIterator<DataSet> gaussianBatches(int batches, int batchSize, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        java.util.List<DataSet> list = new java.util.ArrayList<>();
        for (int b = 0; b < batches; b++) {
            double[][] x = new double[batchSize][2];
            for (double[] r : x) {
                double z0 = rng.nextGaussian();
                r[0] = 0.5 + 1.2 * z0;
                r[1] = -1 + 0.4 * z0 + 0.7 * rng.nextGaussian();
            }
            INDArray f = Nd4j.createFromArray(x);
            list.add(new DataSet(f, f));
        }
        return new ListDataSetIterator<>(list, 1); // one list element (a whole batch) per iteration
    }

    private static ScoreMatchingTrainer.Builder trainer(MultiLayerNetwork net) {
        return ScoreMatchingTrainer.builder(net);
    }

    /**
     * step(x) draws into arrays the graph reuses (ObjectiveGraph.drawForStep); it must train exactly as
     * step(x, drawsForStep(x, iteration)) with freshly allocated draws does — across batch sizes that change
     * and come back, for projections (SSM-VR) and noise (DSM).
     */
    @Test
    void stepTrainsAsItsPublishedDrawsSay() {
        for (io.github.ssm4j.objective.ScoreMatchingObjective o : new io.github.ssm4j.objective.ScoreMatchingObjective[] {
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER),
                io.github.ssm4j.objective.DenoisingScoreMatching.withSigma(0.2)}) {
            MultiLayerNetwork reusing = mlp(new Adam(0.01), 1);
            MultiLayerNetwork fresh = mlp(new Adam(0.01), 1);
            ScoreMatchingTrainer a = trainer(reusing).objective(o).seed(5).build();
            ScoreMatchingTrainer b = trainer(fresh).objective(o).seed(5).build();
            int[] batchSizes = {6, 6, 3, 6, 6};
            for (int k = 0; k < batchSizes.length; k++) {
                INDArray x = Nd4j.rand(DataType.DOUBLE, batchSizes[k], 2).subi(0.5).muli(3);
                double lossA = a.step(x).loss();
                RandomDraws draws = b.drawsForStep(x, fresh.getIterationCount());
                double lossB = b.step(x, draws).loss();
                assertEquals(lossB, lossA, 0.0, o.name() + " step " + k);
                assertArrayEquals(fresh.params().data().asDouble(), reusing.params().data().asDouble(), 0.0,
                        o.name() + " parameters after step " + k);
            }
        }
    }

    @Test
    void trainingLowersTheObjectiveAndLeavesAnOrdinaryDl4jNetwork() {
        MultiLayerNetwork net = mlp(new Adam(0.01), 1);
        INDArray before = net.params().dup();
        ScoreMatchingTrainer t = trainer(net).seed(7).build();
        ListDataSetIterator<DataSet> data = gaussianBatches(8, 64, 3);
        double initial = t.evaluate(data).loss();
        t.fit(data, 15);
        double trained = t.evaluate(data).loss();
        assertTrue(trained < initial - 0.5, "loss " + initial + " → " + trained);
        assertNotEquals(before, net.params());
        assertEquals(15 * 8, net.getIterationCount());
        assertEquals(15, net.getEpochCount());
        // the DL4J network computes the score the objective trained: same function as the translated graph
        INDArray x = Nd4j.createFromArray(new double[][] {{0.3, -0.2}, {1, 2}});
        t.graph(); // graph already pulled the final parameters during evaluate
        String out = t.graph().model().output().name();
        INDArray viaGraph = t.graph().model().sameDiff().output(Map.of(t.graph().model().input().name(), x), out)
                .get(out);
        assertTrue(net.output(x).equalsWithEps(viaGraph, 1e-12));
    }

    @Test
    void gradientsWithRespectToTheDl4jParametersMatchFiniteDifferences() {
        MultiLayerNetwork net = mlp(new Sgd(1.0), 2);
        ScoreMatchingTrainer t = trainer(net).build();
        INDArray x = gaussianBatches(1, 16, 4).next().getFeatures();
        RandomDraws draws = t.drawsForStep(x, 0);
        ObjectiveEvaluation e = t.evaluate(x, draws, true);
        double h = 1e-6;
        for (String key : new String[] {"0_W", "0_b", "1_W", "1_b"}) {
            INDArray p = net.getParam(key);
            INDArray g = e.gradient(key).reshape(p.shape());
            for (int i = 0; i < p.length(); i += 3) {
                // explicit indices: DL4J's parameter views are 'f'-ordered, the gradients 'c'-ordered
                long[] at = p.rank() == 1 ? new long[] {i} : new long[] {i / p.size(1), i % p.size(1)};
                double base = p.getDouble(at);
                p.putScalar(at, base + h);
                double plus = t.evaluate(x, draws, false).loss();
                p.putScalar(at, base - h);
                double minus = t.evaluate(x, draws, false).loss();
                p.putScalar(at, base);
                double fd = (plus - minus) / (2 * h);
                // float64 central differences, h = 1e-6: truncation ~ 1e-12 times the third derivative,
                // rounding ~ 1e-16 |loss| / h ~ 1e-10
                assertEquals(fd, g.getDouble(at), 1e-7 * Math.max(1, Math.abs(fd)), key + "[" + i + "]");
            }
        }
        // one SGD step with learning rate 1 through the network's own updater subtracts exactly that gradient
        Map<String, INDArray> before = Map.of("0_W", net.getParam("0_W").dup(), "1_b", net.getParam("1_b").dup());
        t.step(x);
        for (Map.Entry<String, INDArray> b : before.entrySet()) {
            INDArray applied = b.getValue().sub(net.getParam(b.getKey()));
            assertTrue(applied.equalsWithEps(e.gradient(b.getKey()).reshape(applied.shape()), 1e-12), b.getKey());
        }
    }
}
