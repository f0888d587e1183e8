package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.FiniteDifferenceSsm;
import io.github.ssm4j.objective.ImplicitScoreMatching;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Gradient evaluations after the first for a batch shape run a replay program instead of SameDiff's
 * session (ObjectiveGraph, ReplayProgram). The replay must be invisible: for every objective and for dense,
 * energy and convolutional (max-pooling) networks, an evaluation on new inputs and new draws gives loss,
 * terms and gradients equal, bit for bit, to SameDiff's evaluation of the same graph with replay off. Bit for
 * bit because the same libnd4j kernels run on the same inputs; any difference means a wrong input binding,
 * a buffer reused while still live, or a stale argument.
 */
class ReplayEquivalenceTest {
    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    static Stream<Arguments> cases() {
        Supplier<Model> tanhMlp = () -> Networks.mln(InputType.feedForward(3),
                new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(),
                new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3).activation(Activation.IDENTITY).build());
        Supplier<Model> softplusEnergy = () -> Networks.mln(InputType.feedForward(3),
                new DenseLayer.Builder().nOut(16).activation(Activation.SOFTPLUS).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build());
        Supplier<Model> convEnergy = () -> Networks.mln(InputType.convolutionalFlat(6, 6, 1),
                new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.SOFTPLUS).build(),
                new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                new DenseLayer.Builder().nOut(8).activation(Activation.SOFTPLUS).build(),
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX).build());
        return Stream.of(
                Arguments.of("tanh MLP, SSM", tanhMlp, 3, SlicedScoreMatching.standard(Projection.GAUSSIAN), EnergyHead.NONE),
                Arguments.of("tanh MLP, SSM-VR", tanhMlp, 3, SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), EnergyHead.NONE),
                Arguments.of("tanh MLP, ISM", tanhMlp, 3, ImplicitScoreMatching.exact(), EnergyHead.NONE),
                Arguments.of("tanh MLP, DSM", tanhMlp, 3, DenoisingScoreMatching.withSigma(0.2), EnergyHead.NONE),
                Arguments.of("tanh MLP, FD-SSM", tanhMlp, 3, FiniteDifferenceSsm.of(Projection.RADEMACHER, 1e-3), EnergyHead.NONE),
                Arguments.of("softplus energy, SSM-VR", softplusEnergy, 3, SlicedScoreMatching.varianceReduced(Projection.GAUSSIAN), EnergyHead.OUTPUT),
                Arguments.of("softplus energy, ISM", softplusEnergy, 3, ImplicitScoreMatching.exact(), EnergyHead.OUTPUT),
                Arguments.of("conv + max pool energy, SSM-VR", convEnergy, 36, SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), EnergyHead.NEGATIVE_LOG_SUM_EXP),
                Arguments.of("conv + max pool energy, DSM", convEnergy, 36, DenoisingScoreMatching.withSigma(0.1), EnergyHead.NEGATIVE_LOG_SUM_EXP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replayEqualsSameDiffBitForBit(String name, Supplier<Model> network, int d, ScoreMatchingObjective objective,
                                       EnergyHead head) {
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(network.get()).objective(objective)
                .energyHead(head).seed(4).build();
        ObjectiveGraph graph = trainer.graph();
        INDArray first = Nd4j.randn(DataType.DOUBLE, 7, d);
        graph.evaluate(first, null, trainer.drawsForStep(first, 1), true);   // creates the gradient function
        graph.evaluate(first, null, trainer.drawsForStep(first, 2), true);   // traced
        assertTrue(graph.executionMode().startsWith("replay"), name + ": " + graph.executionMode());

        for (int round = 0; round < 2; round++) {
            INDArray x = Nd4j.randn(DataType.DOUBLE, 7, d).muli(1 + round);
            RandomDraws draws = trainer.drawsForStep(x, 10 + round);
            ObjectiveEvaluation replayed = ReplayCheck.copy(graph.setReplay(true).evaluate(x, null, draws, true));
            ObjectiveEvaluation reference = graph.setReplay(false).evaluate(x, null, draws, true);
            assertEquals(reference.loss(), replayed.loss(), 0.0, name + ": loss");
            assertEquals(reference.terms(), replayed.terms(), name + ": terms");
            assertEquals(reference.gradients().keySet(), replayed.gradients().keySet(), name);
            for (Map.Entry<String, INDArray> g : reference.gradients().entrySet()) {
                // INDArray.equals allows 1e-5; the replay must be exact
                assertTrue(java.util.Arrays.equals(flat(g.getValue()), flat(replayed.gradients().get(g.getKey()))), name + ": gradient of " + g.getKey()
                        + "\nSameDiff " + g.getValue() + "\nreplay   " + replayed.gradients().get(g.getKey()));
            }
        }
    }

    /**
     * SSM-VR's gradient pass meets two products whose left factor is a placeholder — x·W₁ and the tangent
     * v·W₁ — and nothing reads their gradients with respect to x or v: both run as one product. Likewise
     * three elementwise products whose second gradient nobody reads: the two per-example weightings (row
     * weight [N, 1] broadcast over [N, D]) and v ⊙ Jv (the projection's). DSM has one of each. The
     * bit-for-bit test above shows the results are unchanged.
     */
    @org.junit.jupiter.api.Test
    void unreadInputGradientsAreNotComputed() {
        for (Map.Entry<ScoreMatchingObjective, String> c : Map.<ScoreMatchingObjective, String>of(
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), "2 matmul, 3 multiply",
                DenoisingScoreMatching.withSigma(0.2), "1 matmul, 1 multiply").entrySet()) {
            ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(Networks.mln(InputType.feedForward(3),
                    new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(),
                    new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3).activation(Activation.IDENTITY)
                            .build())).objective(c.getKey()).seed(4).build();
            INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 3);
            trainer.step(x);
            trainer.step(x);
            trainer.step(x);
            assertTrue(trainer.graph().executionMode().contains("gradients for one factor: " + c.getValue() + ";"),
                    c.getKey().name() + ": " + trainer.graph().executionMode());
        }
    }

    /**
     * Forward-only evaluations (held-out losses) and the samplers' score oracle replay too: equal bit for bit
     * to SameDiff's own output on the same graph.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardReplayAndScoreOracleEqualSameDiff(String name, Supplier<Model> network, int d,
                                                  ScoreMatchingObjective objective, EnergyHead head) {
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(network.get()).objective(objective)
                .energyHead(head).seed(4).build();
        ObjectiveGraph graph = trainer.graph();
        io.github.ssm4j.sampling.ScoreOracle oracle = io.github.ssm4j.sampling.ScoreOracle.of(trainer.scoreFunction());
        String score = trainer.scoreFunction().score().name();
        String input = trainer.scoreFunction().input().name();
        for (int round = 0; round < 3; round++) {
            INDArray x = Nd4j.randn(DataType.DOUBLE, 5, d).muli(1 + round);
            RandomDraws draws = trainer.drawsForStep(x, 20 + round);
            ObjectiveEvaluation replayed = graph.setReplay(true).evaluate(x, null, draws, false);
            ObjectiveEvaluation reference = graph.setReplay(false).evaluate(x, null, draws, false);
            assertEquals(reference.loss(), replayed.loss(), 0.0, name + ": forward loss, round " + round);
            assertEquals(reference.terms(), replayed.terms(), name + ": forward terms, round " + round);

            INDArray fromOracle = oracle.score(x, 0.0);
            INDArray direct = trainer.scoreFunction().sameDiff().output(Map.of(input, x), score).get(score);
            assertTrue(java.util.Arrays.equals(flat(direct), flat(fromOracle)), name + ": score oracle, round " + round);
        }
    }

    private static double[] flat(INDArray a) {
        return a.dup('c').reshape(-1).toDoubleVector();
    }
}
