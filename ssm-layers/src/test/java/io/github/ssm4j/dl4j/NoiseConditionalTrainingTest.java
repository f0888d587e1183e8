package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.conditional.DivideBySigmaVertex;
import io.github.ssm4j.dl4j.conditional.SigmaFiLMVertex;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A noise-conditional ComputationGraph s(x, σ) — inputs x and σ, FiLM conditioning on log σ, output
 * divided by σ — trained by σ²-weighted denoising score matching through ScoreMatchingTrainer from a
 * MultiDataSetIterator: the trainer feeds σ to the graph's second input, and the objective falls.
 */
class NoiseConditionalTrainingTest {

    private static ComputationGraph network() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new Adam(3e-3)).graphBuilder()
                .addInputs("x", "sigma")
                .setInputTypes(InputType.feedForward(2), InputType.feedForward(1))
                .addLayer("h", new DenseLayer.Builder().nOut(32).activation(Activation.SOFTPLUS).build(), "x")
                .addVertex("film", SigmaFiLMVertex.builder().build(), "h", "sigma")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "film")
                .addVertex("score", new DivideBySigmaVertex(), "out", "sigma")
                .setOutputs("score")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** Batches of 2-D data from two Gaussian blobs, as MultiDataSets with x as the only features. */
    private static MultiDataSetIterator data() {
        SplittableRandom rng = new SplittableRandom(5);
        List<org.nd4j.linalg.dataset.DataSet> list = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            double[][] x = new double[64][2];
            for (double[] r : x) {
                double c = rng.nextBoolean() ? 1.5 : -1.5;
                r[0] = c + 0.3 * rng.nextGaussian();
                r[1] = 0.3 * rng.nextGaussian();
            }
            INDArray f = Nd4j.createFromArray(x);
            list.add(new org.nd4j.linalg.dataset.DataSet(f, f));
        }
        return new org.nd4j.linalg.dataset.adapter.MultiDataSetIteratorAdapter(
                new ListDataSetIterator<>(list, 1));
    }

    @Test
    void trainsThroughTheSigmaInputFromAMultiDataSetIterator() {
        ComputationGraph net = network();
        double[] sigmas = DenoisingScoreMatching.geometricSchedule(1.0, 0.1, 4);
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net)
                .objective(DenoisingScoreMatching.noiseConditional(sigmas)).noiseLevelInput("sigma").seed(1)
                .inputTypes(InputType.feedForward(2), InputType.feedForward(1)).build();
        MultiDataSetIterator it = data();
        ObjectiveEvaluation before = evaluate(trainer, it);
        INDArray params = net.params().dup();
        trainer.fit(it, 20);
        ObjectiveEvaluation after = evaluate(trainer, it);
        assertTrue(after.loss() < 0.8 * before.loss(), "loss " + before.loss() + " → " + after.loss());
        assertNotEquals(params, net.params());
    }

    /** The loss over every batch with fixed draws. */
    private static ObjectiveEvaluation evaluate(ScoreMatchingTrainer trainer, MultiDataSetIterator it) {
        it.reset();
        double sum = 0;
        int n = 0;
        while (it.hasNext()) {
            MultiDataSet m = it.next();
            INDArray x = m.getFeatures(0);
            sum += trainer.evaluate(x, trainer.drawsForStep(x, 1_000_000 + n), false).loss();
            n++;
        }
        return new ObjectiveEvaluation(sum / n, java.util.Map.of(), null);
    }
}
