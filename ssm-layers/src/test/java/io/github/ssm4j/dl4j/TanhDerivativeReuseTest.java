package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.ImplicitScoreMatching;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import io.github.ssm4j.objective.internal.TanhDerivativeReuse;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Replay runs {@code tanh_bp} from the forward pass's {@code y = tanh(x)} (and its tangent rule's
 * {@code 1 − y²}) instead of evaluating tanh again, on builds where that is the same arithmetic: the
 * gradients stay equal to SameDiff's own (which runs tanh_bp) bit for bit, in float32 as in float64, both
 * where the objective's graph already holds {@code 1 − y²} (SSM-VR, ISM) and where only {@code y} is at
 * hand (DSM). {@link ReplayEquivalenceTest} covers the other objectives in float64.
 */
class TanhDerivativeReuseTest {
    private final DataType[] defaults = {Nd4j.dataType(), Nd4j.defaultFloatingPointType()};

    @AfterEach
    void restoreDefaults() {
        Nd4j.setDefaultDataTypes(defaults[0], defaults[1]);
    }

    static Stream<Arguments> cases() {
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(type -> Stream.of(
                Arguments.of(type, "SSM-VR", SlicedScoreMatching.varianceReduced(Projection.RADEMACHER)),
                Arguments.of(type, "ISM", ImplicitScoreMatching.exact()),
                Arguments.of(type, "DSM", DenoisingScoreMatching.withSigma(0.3))));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void gradientsEqualSameDiffsTanhBpBitForBit(DataType type, String name, ScoreMatchingObjective objective) {
        Nd4j.setDefaultDataTypes(type, type);
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(Networks.mln(InputType.feedForward(4),
                        new DenseLayer.Builder().nOut(24).activation(Activation.TANH).build(),
                        new DenseLayer.Builder().nOut(24).activation(Activation.TANH).build(),
                        new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(4).activation(Activation.IDENTITY)
                                .build()))
                .objective(objective).seed(9).build();
        ObjectiveGraph graph = trainer.graph();
        INDArray first = Nd4j.randn(type, 16, 4);
        graph.evaluate(first, null, trainer.drawsForStep(first, 1), true);
        graph.evaluate(first, null, trainer.drawsForStep(first, 2), true);   // traced and compiled

        // two tanh layers, so two tanh_bp; ISM's exact trace runs one chunk per coordinate group, each its own
        // program, and each program has the same two
        int expected = TanhDerivativeReuse.backendAgrees(type) ? 2 : 0;
        assertTrue(graph.executionMode().contains("; " + expected + " tanh derivatives from the forward pass"),
                graph.executionMode());

        for (int round = 0; round < 2; round++) {
            // saturated arguments too: 1 − y² loses its digits there, the case most sensitive to the formula
            INDArray x = Nd4j.randn(type, 16, 4).muli(1 + 3 * round);
            RandomDraws draws = trainer.drawsForStep(x, 30 + round);
            ReplayCheck.BothWays both = ReplayCheck.evaluateBothWays(graph, x, draws);
            assertEquals(both.reference().loss(), both.replayed().loss(), 0.0, name + ": loss");
            both.assertGradientsEqualBitForBit(type + " " + name);
        }
    }
}
