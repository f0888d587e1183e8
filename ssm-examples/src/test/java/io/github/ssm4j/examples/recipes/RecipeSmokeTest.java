package io.github.ssm4j.examples.recipes;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.examples.data.Datasets;
import io.github.ssm4j.examples.data.LoadOptions;
import io.github.ssm4j.examples.data.Split;
import io.github.ssm4j.objective.RandomDraws;
import org.deeplearning4j.nn.api.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Every zoo recipe trains on its default dataset with its default objective: a few small steps on one
 * batch with fixed projections or noise (gradient descent on one smooth function) lower the objective and
 * change the DL4J network's parameters.
 */
class RecipeSmokeTest {
    static java.util.List<String> recipes() {
        return Recipes.names();
    }

    @ParameterizedTest
    @MethodSource("recipes")
    void trainsOnItsDefaultDataset(String name) {
        Recipe recipe = Recipes.get(name);
        org.junit.jupiter.api.Assumptions.assumeTrue(Datasets.get(recipe.defaultDataset()).isAvailable(),
                () -> recipe.defaultDataset() + " is not on this machine; fetch it with "
                        + Datasets.get(recipe.defaultDataset()).fetchCommand().orElse("?"));
        INDArray all = Datasets.load(recipe.defaultDataset(), Split.TRAIN,
                LoadOptions.defaults().withToySamples(256).withDataType(DataType.FLOAT)).features();
        // 8 examples: enough for a smooth objective; UNet (31 M parameters) costs seconds per example-step here
        INDArray x = recipe.dataTransform(recipe.defaultDataset()).apply(
                all.get(NDArrayIndex.interval(0, 8), NDArrayIndex.all()).reshape(8, -1).dup(), 1);
        long[] shape = {x.size(1)};
        Model net = recipe.build(shape, new Adam(1e-4), 1);   // small steps: descent on one fixed smooth function
        ScoreMatchingTrainer.Builder b = ScoreMatchingTrainer.builder(net).objective(recipe.defaultObjective())
                .energyHead(recipe.energyHead());
        if (recipe.noiseLevelInput() != null) {
            b.noiseLevelInput(recipe.noiseLevelInput());
        }
        if (recipe.inputTypes(shape) != null) {
            b.inputTypes(recipe.inputTypes(shape));
        }
        ScoreMatchingTrainer trainer = b.build();
        RandomDraws fixed = trainer.drawsForStep(x, 123);
        double before = trainer.evaluate(x, fixed, false).loss();
        INDArray params = net.params().dup();
        for (int i = 0; i < 2; i++) {
            trainer.step(x, fixed);
        }
        double after = trainer.evaluate(x, fixed, false).loss();
        assertTrue(after < before, name + ": objective " + before + " → " + after);
        assertNotEquals(params, net.params(), name);
    }
}
