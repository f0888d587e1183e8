package io.github.ssm4j.examples.recipes;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.examples.data.Datasets;
import io.github.ssm4j.examples.data.LoadOptions;
import io.github.ssm4j.examples.data.Split;
import io.github.ssm4j.examples.flow.NiceFlow;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.MaximumLikelihood;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A small nice flow on dequantised, logit-transformed digits (8×8, shipped) trains by each objective of the
 * SSM paper's NICE experiment: with fixed draws, a few steps lower the objective and change the parameters.
 */
class NiceRecipeTest {
    static Stream<ScoreMatchingObjective> objectives() {
        return Stream.of(MaximumLikelihood.of(), SlicedScoreMatching.varianceReduced(Projection.RADEMACHER),
                SlicedScoreMatching.standard(Projection.RADEMACHER), DenoisingScoreMatching.withSigma(0.1));
    }

    @ParameterizedTest
    @MethodSource("objectives")
    void smallFlowTrainsOnDigits(ScoreMatchingObjective objective) {
        Recipe recipe = new NiceRecipe(new NiceFlow.Size(2, 1, 16));
        INDArray pixels = Datasets.load("digits", Split.TRAIN, LoadOptions.defaults().withDataType(DataType.FLOAT))
                .features();
        INDArray x = recipe.dataTransform("digits").apply(
                pixels.get(NDArrayIndex.interval(0, 16), NDArrayIndex.all()).reshape(16, -1).dup(), 1);
        long[] shape = {x.size(1)};
        Model net = recipe.build(shape, new Adam(1e-3), 1);
        ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net).objective(objective)
                .energyHead(recipe.energyHead()).inputTypes(recipe.inputTypes(shape)).build();
        RandomDraws fixed = trainer.drawsForStep(x, 7);
        double before = trainer.evaluate(x, fixed, false).loss();
        INDArray params = net.params().dup();
        for (int i = 0; i < 3; i++) {
            trainer.step(x, fixed);
        }
        double after = trainer.evaluate(x, fixed, false).loss();
        assertTrue(after < before, objective.name() + ": objective " + before + " → " + after);
        assertNotEquals(params, net.params(), objective.name());
    }
}
