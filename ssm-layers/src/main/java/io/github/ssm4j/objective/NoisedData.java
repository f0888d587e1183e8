package io.github.ssm4j.objective;

import io.github.ssm4j.model.ScoreFunction;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Another objective applied to the data smoothed by Gaussian noise: every evaluation replaces the batch x by
 * x + σz, z ~ N(0, I) drawn afresh, before {@code objective} sees it. The result is {@code objective}'s
 * estimate for the smoothed density p_σ = p ∗ N(0, σ²I) in place of p, so the model fits the score of p_σ.
 *
 * <p>Why: score matching integrates by parts over the data density, which needs a density that is
 * differentiable and vanishes at its edges. Data that violate this — dequantised pixels, each uniform on a
 * box — leave the sliced and exact objectives unbounded below (a flexible model keeps steepening at the box
 * edges; docs/RESULTS.md, {@code lenet-ebm}); p_σ is smooth everywhere and the objective is bounded again.
 * Unlike {@link DenoisingScoreMatching} at the same σ, which regresses onto the noise, this keeps the
 * wrapped estimator (SSM's projections, ISM's exact trace) and only changes the distribution it averages
 * over. Closed form for a check: with p = N(0, I_D) and s(x) = −a x, ISM's expected loss is
 * ½a²(1 + σ²)D − aD, minimal at a = 1/(1 + σ²), the score of N(0, (1 + σ²)I).
 *
 * @param objective the objective to apply (not {@link DenoisingScoreMatching}, which noises the data itself)
 * @param sigma the noise level σ > 0, in the units of x
 *
 * <p>Stability: public API.
 */
public record NoisedData(@JsonProperty("objective") ScoreMatchingObjective objective,
                         @JsonProperty("sigma") double sigma) implements ScoreMatchingObjective {

    public NoisedData {
        if (objective == null) {
            throw new IllegalArgumentException("NoisedData needs an objective to apply to the noised data");
        }
        if (objective instanceof DenoisingScoreMatching || objective instanceof NoisedData) {
            throw new IllegalArgumentException(objective.name() + " already noises the data; give it the "
                    + "combined noise level instead of wrapping it in NoisedData");
        }
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("The data noise level σ must be positive and finite, got " + sigma);
        }
    }

    /** {@code objective} on data smoothed by N(0, σ²I). */
    public static NoisedData of(ScoreMatchingObjective objective, double sigma) {
        return new NoisedData(objective, sigma);
    }

    @Override
    public String name() {
        return objective.name() + "+data-noise";
    }

    @Override
    public List<String> termNames() {
        return objective.termNames();
    }

    @Override
    public void defineTerms(TermBuilder graph) {
        objective.defineTerms(graph);
    }

    /** The wrapped objective's draws, with the data noise z (shaped like x) added. */
    @Override
    public RandomDraws draw(ScoreFunction model, int batchSize, SplittableRandom rng) {
        RandomDraws inner = objective.draw(model, batchSize, rng);
        if (inner.noise() != null) {
            throw new IllegalStateException(objective.name() + " draws noise of its own, which NoisedData would "
                    + "overwrite");
        }
        return new RandomDraws(inner.projections(), Objectives.standardNormal(model, batchSize, rng),
                inner.noiseLevels());
    }

    @Override
    public List<Map<String, INDArray>> feeds(Batch batch, RandomDraws draws) {
        INDArray z = draws == null ? null : draws.noise();
        if (z == null || !Arrays.equals(z.shape(), batch.x().shape())) {
            throw new IllegalArgumentException("Noised data need noise z shaped like x "
                    + Arrays.toString(batch.x().shape()) + " but got " + (z == null ? "none" : Arrays.toString(z.shape()))
                    + "; draw it with ObjectiveGraph.draw or pass RandomDraws with noise");
        }
        z = z.castTo(batch.dataType());
        Batch.requireFinite(z, "The data noise");
        Batch noised = batch.withX(Objectives.plusScaled(batch.x(), z, sigma));
        return objective.feeds(noised, new RandomDraws(draws.projections(), null, draws.noiseLevels()));
    }

    @Override
    public String toString() {
        return objective + " on data + N(0, " + sigma + "²)";
    }
}
