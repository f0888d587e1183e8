package io.github.ssm4j.objective;

import io.github.ssm4j.autodiff.internal.StaticShapes;
import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Maximum likelihood: the mean of the energy over the batch, term "nll". Only meaningful for a
 * <b>normalised</b> energy model, E(x) = −log p(x) exactly (log Z = 0), such as a normalising flow whose
 * graph adds the prior and the log-determinant of its Jacobian; then the loss is the negative
 * log-likelihood per example and its minimiser is the maximum-likelihood estimate. For an unnormalised
 * energy the loss has no minimum (lowering E everywhere lowers it), so this objective is the baseline
 * score matching is compared against on flows (Song et al., "Sliced score matching", UAI 2019, NICE
 * experiment), not a way to train energy-based models.
 *
 * <p>A score network has no energy and is refused; so is a noise-conditional model. No randomness.
 *
 * <p>Stability: public API.
 */
public record MaximumLikelihood() implements ScoreMatchingObjective {

    /** The objective (it has no options). */
    public static MaximumLikelihood of() {
        return new MaximumLikelihood();
    }

    @Override
    public String name() {
        return "mle";
    }

    @Override
    public List<String> termNames() {
        return List.of("nll");
    }

    @Override
    public void defineTerms(TermBuilder graph) {
        ScoreFunction model = graph.model();
        if (model.kind() != ScoreFunction.Kind.ENERGY) {
            throw new IllegalArgumentException("Maximum likelihood needs a normalised energy model, E(x) = −log p(x), "
                    + "but '" + model.output().name() + "' is a score network (output shaped like x), which has no "
                    + "likelihood; build the model with ScoreFunction.ofEnergy (DL4J: an energy head such as "
                    + "EnergyHead.OUTPUT) or train it by score matching");
        }
        Objectives.requireUnconditional(graph, name());
        SDVariable perRow = graph.sd().reshape(model.energy(), -1);
        StaticShapes.of(graph.sd()).record(perRow, new long[] {-1});
        graph.rowTerm("nll", perRow, 1.0);
    }

    @Override
    public RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng) {
        return RandomDraws.none();
    }

    @Override
    public List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws) {
        return List.of(Map.of(
                batch.model().input().name(), batch.x(),
                TermBuilder.PREFIX + "row_weight", batch.rowWeights(1, null)));
    }
}
