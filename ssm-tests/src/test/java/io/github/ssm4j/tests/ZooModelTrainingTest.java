package io.github.ssm4j.tests;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.dl4j.NetworkTranslator;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.UNet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * DL4J's own zoo models train by score matching: UNet as a score network at 1×32×32, LeNet and SimpleCNN
 * as energy models through −logsumexp of their logits. Each takes a few small steps on one MNIST-sized
 * batch with fixed projections — gradient descent on one smooth function, so the objective must
 * decrease — and the DL4J network's parameters must have changed.
 */
class ZooModelTrainingTest {

    private static void trainsAndImproves(String name, Model net, ScoreMatchingTrainer trainer, INDArray x, int steps) {
        RandomDraws fixed = trainer.drawsForStep(x, 1_000_000);
        double before = trainer.evaluate(x, fixed, false).loss();
        INDArray params = net.params().dup();
        for (int i = 0; i < steps; i++) {
            trainer.step(x, fixed);
        }
        double after = trainer.evaluate(x, fixed, false).loss();
        assertTrue(after < before, name + ": objective " + before + " → " + after);
        assertNotEquals(params, net.params(), name + ": parameters unchanged");
    }

    private static INDArray batch(long... shape) {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.rand(DataType.FLOAT, shape);   // pixel-like values in [0, 1)
    }

    @Test
    void unetIsAScoreNetwork() {
        ComputationGraph net = (ComputationGraph) UNet.builder().numClasses(1).inputShape(new int[] {1, 32, 32})
                .updater(new Adam(1e-4)).build().init();
        ScoreMatchingObjective vr = SlicedScoreMatching.varianceReduced(Projection.RADEMACHER);
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net).objective(vr)
                .translation(NetworkTranslator.translate(net, InputType.convolutional(32, 32, 1))).build();
        trainsAndImproves("UNet", net, trainer, batch(2, 1, 32, 32), 3);
    }

    @Test
    void lenetIsAnEnergyModel() {
        MultiLayerNetwork net = (MultiLayerNetwork) LeNet.builder().numClasses(10).inputShape(new int[] {1, 28, 28})
                .updater(new Adam(1e-4)).build().init();
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net)
                .objective(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER))
                .energyHead(EnergyHead.NEGATIVE_LOG_SUM_EXP).build();
        trainsAndImproves("LeNet", net, trainer, batch(4, 784), 5);
    }

    @Test
    void simpleCnnIsAnEnergyModel() {
        MultiLayerNetwork net = (MultiLayerNetwork) SimpleCNN.builder().numClasses(10).inputShape(new int[] {1, 16, 16})
                .updater(new Adam(1e-4)).build().init();
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net)
                .objective(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER))
                .energyHead(EnergyHead.NEGATIVE_LOG_SUM_EXP)
                .translation(NetworkTranslator.translate(net, InputType.convolutional(16, 16, 1))).build();
        trainsAndImproves("SimpleCNN", net, trainer, batch(4, 1, 16, 16), 5);
    }
}
