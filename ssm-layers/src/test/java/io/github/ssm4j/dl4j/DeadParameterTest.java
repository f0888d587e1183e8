package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.SlicedScoreMatching;
import io.github.ssm4j.train.GraphTrainer;
import io.github.ssm4j.train.internal.DeadParameterWatch;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Parameters that no gradient reaches are reported, not left to look like a flat loss: a ReLU layer whose
 * bias is −1000 outputs zeros for any input, which cuts every path from the loss to itself and to the layer
 * before — the failure the zoo UNet's 2-channel ReLU head showed.
 */
class DeadParameterTest {
    private static MultiLayerNetwork reluNet(Activation hidden) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(2).nOut(8).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(8).activation(hidden).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(8).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    private static Set<String> deadAfter(MultiLayerNetwork net, int steps) {
        ScoreMatchingTrainer t = ScoreMatchingTrainer.builder(net)
                .objective(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER)).seed(3).build();
        INDArray x = Nd4j.randn(DataType.DOUBLE, 32, 2);
        for (int i = 0; i < steps; i++) {
            t.step(x);
        }
        return t.deadParameters();
    }

    @Test
    void aLayerCutOffByDeadRelusIsReportedWithEverythingBeforeIt() {
        MultiLayerNetwork net = reluNet(Activation.RELU);
        net.getLayer(1).getParam("b").assign(-1000);
        net.getLayer(2).getParam("b").assign(0.5);   // the output bias still gets a gradient: ½‖s‖² pulls it to 0
        assertEquals(Set.of("0_W", "0_b", "1_W", "1_b", "2_W"),
                deadAfter(net, 2 * ScoreMatchingTrainer.DEAD_CHECK_INTERVAL));
    }

    @Test
    void aHealthyNetworkReportsNothing() {
        assertEquals(Set.of(), deadAfter(reluNet(Activation.TANH), 2 * ScoreMatchingTrainer.DEAD_CHECK_INTERVAL));
    }

    @Test
    void theSameDiffTrainerReportsTooWithTheVariableNames() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable w1 = sd.var("w1", Nd4j.randn(DataType.DOUBLE, 2, 4));
        SDVariable b1 = sd.var("b1", Nd4j.valueArrayOf(new long[] {4}, -1000.0));
        SDVariable w2 = sd.var("w2", Nd4j.randn(DataType.DOUBLE, 4, 2));
        SDVariable b2 = sd.var("b2", Nd4j.valueArrayOf(new long[] {2}, 0.5));
        SDVariable s = sd.nn().relu(x.mmul(w1).add(b1), 0).mmul(w2).add(b2);
        GraphTrainer t = GraphTrainer.builder(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER)
                .attach(ScoreFunction.ofScore(x, s))).updater(new Adam(0.01)).seed(1).build();
        INDArray batch = Nd4j.randn(DataType.DOUBLE, 16, 2);
        for (int i = 0; i < 2 * ScoreMatchingTrainer.DEAD_CHECK_INTERVAL; i++) {
            t.step(batch);
        }
        assertEquals(Set.of("w1", "b1", "w2"), t.deadParameters());
    }

    @Test
    void oneZeroCheckIsNotEnoughAndEachParameterIsReportedOnce() {
        DeadParameterWatch watch = new DeadParameterWatch(10);
        Map<String, INDArray> zero = Map.of("w", Nd4j.zeros(3), "b", Nd4j.ones(2));
        Map<String, INDArray> alive = Map.of("w", Nd4j.ones(3), "b", Nd4j.ones(2));
        assertTrue(watch.check(10, zero).isEmpty(), "first zero check");
        assertTrue(watch.check(15, zero).isEmpty(), "not a check step");
        assertTrue(watch.check(20, alive).isEmpty(), "recovered");
        assertTrue(watch.check(30, zero).isEmpty(), "zero again, but not twice in a row");
        assertEquals(Set.of("w"), watch.check(40, zero));
        assertTrue(watch.check(50, zero).isEmpty(), "reported once");
        assertEquals(Set.of("w"), watch.reported());
    }
}
